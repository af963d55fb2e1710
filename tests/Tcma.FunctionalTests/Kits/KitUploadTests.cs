using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage.Messaging;

namespace Tcma.FunctionalTests.Kits;

/// <summary>A channel manager uploads, publishes and recalls kit versions through the API, on Azurite; bad kits are refused and leave nothing behind.</summary>
public sealed class KitUploadTests
{
    private const string Vendor = "northwind";
    private const string Kit = "cloud-backup-nurture";

    internal static MultipartFormDataContent Form(byte[] zip, string fileName = "kit.zip")
    {
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return new MultipartFormDataContent { { file, "kit", fileName } };
    }

    private static ByteArrayContent ZipBody(byte[] zip)
    {
        var body = new ByteArrayContent(zip);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return body;
    }

    internal sealed record Problem(string File, string Place, string Message);

    internal static async Task<List<Problem>> ProblemsAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return json.RootElement.GetProperty("problems").Deserialize<List<Problem>>(JsonSerializerOptions.Web)!;
    }

    /// <summary>Every blob and every row this app's storage prefix holds: what a refused upload must not change.</summary>
    internal static async Task<SortedSet<string>> EverythingStoredAsync(TcmaAppFactory app)
    {
        var all = new SortedSet<string>(StringComparer.Ordinal);
        var blobs = new BlobServiceClient(app.StorageConnectionString);
        await foreach (var container in blobs.GetBlobContainersAsync(prefix: app.StoragePrefix))
            await foreach (var blob in blobs.GetBlobContainerClient(container.Name).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, null, default))
                all.Add($"blob {container.Name}/{blob.Name}");
        var tables = new TableServiceClient(app.StorageConnectionString);
        await foreach (var table in tables.QueryAsync())
        {
            if (!table.Name.StartsWith(app.StoragePrefix, StringComparison.Ordinal)) continue;
            await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
                all.Add($"row {table.Name}/{row.PartitionKey}/{row.RowKey}");
        }
        return all;
    }

    [Fact]
    public async Task A_sample_kit_uploads_and_previews_for_the_sample_partner_then_is_published_and_recalled_once()
    {
        // No trigger host: the recall message is peeked here before the launches' recall function would take it.
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager, "casey@northwind.example");

        var uploaded = await client.PostAsync($"/api/vendors/{Vendor}/kits", Form(KitZips.CloudBackupWith()));
        Assert.True(uploaded.StatusCode == HttpStatusCode.Created, await uploaded.Content.ReadAsStringAsync());
        var version = await uploaded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Validated", version.GetProperty("status").GetString());
        Assert.Equal("casey@northwind.example", version.GetProperty("uploadedBy").GetString());
        Assert.Equal("Northwind Cloud", version.GetProperty("vendorName").GetString());
        Assert.StartsWith("Nobody yet", version.GetProperty("whoCanLaunch").GetString());
        Assert.Equal($"/api/vendors/{Vendor}/kits/{Kit}", uploaded.Headers.Location?.OriginalString);

        // The preview endpoints answer for the built-in sample partner, stored on this first upload.
        var image = await client.GetAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/images/social-banner/preview?partner=sample-partner");
        Assert.True(image.StatusCode == HttpStatusCode.OK, await image.Content.ReadAsStringAsync());
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        var email = await client.GetStringAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/emails/welcome/preview?partner=sample-partner");
        Assert.Contains("Sample Partner IT", email);

        var list = await client.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/kits");
        var kit = Assert.Single(list.EnumerateArray());
        Assert.Equal(Kit, kit.GetProperty("kitId").GetString());
        Assert.Equal("Validated", Assert.Single(kit.GetProperty("versions").EnumerateArray()).GetProperty("status").GetString());

        var published = await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/publish", null);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        var publishedView = await published.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Published", publishedView.GetProperty("status").GetString());
        Assert.Equal("Partners in tier Gold, Silver; in any region; specialising in Backup, Managed services; with no end date",
            publishedView.GetProperty("whoCanLaunch").GetString());
        // Publishing twice is a success that changes nothing.
        var again = await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/publish", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(publishedView.GetProperty("publishedAt").GetString(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publishedAt").GetString());

        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/kits/{Kit}");
        Assert.Equal("Published", detail.GetProperty("versions")[0].GetProperty("status").GetString());
        Assert.Equal(["Gold", "Silver"], detail.GetProperty("versions")[0].GetProperty("targeting").GetProperty("tiers").Deserialize<string[]>()!);

        var recalled = await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/recall", null);
        Assert.Equal(HttpStatusCode.OK, recalled.StatusCode);
        Assert.Equal("Recalled", (await recalled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/recall", null)).StatusCode);

        // A recalled version never comes back; a recall of a repeat sends no second message.
        var republish = await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/publish", null);
        Assert.Equal(HttpStatusCode.Conflict, republish.StatusCode);
        Assert.Contains("recalled", await republish.Content.ReadAsStringAsync());

        var queue = new QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-kit-recalls", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var messages = (await queue.PeekMessagesAsync(32)).Value;
        var message = Assert.Single(messages);
        Assert.True(MessageEnvelope.TryRead(message.Body.ToString(), out var envelope));
        var recall = JsonDocument.Parse(envelope.Body!).RootElement;
        Assert.Equal(Vendor, recall.GetProperty("VendorId").GetString());
        Assert.Equal(Kit, recall.GetProperty("KitId").GetString());
        Assert.Equal("1.0.0", recall.GetProperty("Version").GetString());
        Assert.Equal("casey@northwind.example", recall.GetProperty("RecalledBy").GetString());
    }

    [Fact]
    public async Task Versions_are_immutable_a_re_upload_is_409_and_a_validated_version_cannot_be_recalled()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/vendors/{Vendor}/kits", ZipBody(KitZips.CloudBackupWith()))).StatusCode);
        var before = await EverythingStoredAsync(app);

        var changed = KitZips.CloudBackupWith(m => m.Replace("Two emails, a LinkedIn post", "Changed description"));
        var again = await client.PostAsync($"/api/vendors/{Vendor}/kits", Form(changed));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already exists", await again.Content.ReadAsStringAsync());
        Assert.Equal(before, await EverythingStoredAsync(app));

        var next = await client.PostAsync($"/api/vendors/{Vendor}/kits", Form(KitZips.CloudBackupWith(m => m.Replace("\"version\": \"1.0.0\"", "\"version\": \"1.1.0\""))));
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
        var recall = await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.1.0/recall", null);
        Assert.Equal(HttpStatusCode.Conflict, recall.StatusCode);
        Assert.Contains("never published", await recall.Content.ReadAsStringAsync());
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/kits/{Kit}");
        Assert.Equal(["1.1.0", "1.0.0"], detail.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()!).ToArray());
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/9.9.9/publish", null)).StatusCode);
    }

    [Fact]
    public async Task Two_uploads_of_the_same_version_at_once_store_one_and_refuse_the_other()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var zip = KitZips.CloudBackupWith();
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.PostAsync($"/api/vendors/{Vendor}/kits", Form(zip))));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/kits/{Kit}");
        Assert.Equal("Validated", Assert.Single(detail.GetProperty("versions").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_upload_that_crashed_mid_store_blocks_its_version_only_until_it_is_abandoned()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TcmaAppFactory.StartAsync(clock);
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var zip = KitZips.CloudBackupWith();
        // The crash: a claim taken and a file half written, never completed.
        var files = KitZips.Files(KitZips.CloudBackup);
        var (manifest, _) = Tcma.Domain.Kits.KitManifestReader.Read(files["kit.json"]);
        var index = app.Services.GetRequiredService<Tcma.Functions.Kits.KitIndex>();
        Assert.NotNull(await index.ClaimAsync(Vendor, manifest!, new Tcma.Domain.Kits.KitFiles(files), "crashed", clock.GetUtcNow(), default));
        var blobs = new BlobServiceClient(app.StorageConnectionString).GetBlobContainerClient($"{app.StoragePrefix}-kits");
        await blobs.CreateIfNotExistsAsync();
        await blobs.GetBlobClient($"{Vendor}/{Kit}/1.0.0/leftover.txt").UploadAsync(BinaryData.FromString("half an upload"));

        // The half-stored version is no version: not listed, not previewable, and a new upload waits for it.
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/kits")).EnumerateArray());
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/vendors/{Vendor}/kits", Form(zip))).StatusCode);

        clock.Advance(Tcma.Functions.Kits.KitIndex.AbandonedAfter + TimeSpan.FromMinutes(1));
        var retried = await client.PostAsync($"/api/vendors/{Vendor}/kits", Form(zip));
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/emails/welcome/preview?partner=sample-partner")).StatusCode);
        Assert.False((await blobs.GetBlobClient($"{Vendor}/{Kit}/1.0.0/leftover.txt").ExistsAsync()).Value);
    }

    [Fact]
    public async Task A_recall_whose_message_was_lost_in_a_crash_sends_it_when_repeated()
    {
        // No trigger host: the recall message is peeked here before the launches' recall function would take it.
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/vendors/{Vendor}/kits", Form(KitZips.CloudBackupWith()))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/publish", null)).StatusCode);
        // The crash: the status committed, the process died before the message went out.
        await app.Services.GetRequiredService<Tcma.Functions.Kits.KitIndex>()
            .ChangeAsync(Vendor, Kit, "1.0.0", Tcma.Domain.Kits.KitAction.Recall, "crashed", DateTimeOffset.UtcNow, default);
        var queue = new QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-kit-recalls", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/recall", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/recall", null)).StatusCode);
        var message = Assert.Single((await queue.PeekMessagesAsync(32)).Value);
        Assert.True(MessageEnvelope.TryRead(message.Body.ToString(), out var envelope));
        Assert.Equal("crashed", JsonDocument.Parse(envelope.Body!).RootElement.GetProperty("RecalledBy").GetString());
    }

    [Fact]
    public async Task Another_vendor_can_neither_see_nor_change_a_kit_and_only_channel_managers_upload()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var owner = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Created, (await owner.PostAsync($"/api/vendors/{Vendor}/kits", Form(KitZips.CloudBackupWith()))).StatusCode);

        var other = await app.SignedInAsync("globex", VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/vendors/{Vendor}/kits")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/vendors/{Vendor}/kits/{Kit}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/publish", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/vendors/{Vendor}/kits", Form(KitZips.CloudBackupWith()))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/images/social-banner/preview?partner=sample-partner")).StatusCode);
        // Its own list is empty, and the same kit id uploaded there is its own, not a conflict.
        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/api/vendors/globex/kits")).EnumerateArray());
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsync("/api/vendors/globex/kits", Form(KitZips.CloudBackupWith()))).StatusCode);
        Assert.Equal("Validated", (await owner.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/kits/{Kit}")).GetProperty("versions")[0].GetProperty("status").GetString());

        var finance = await app.SignedInAsync(Vendor, VendorRole.Finance);
        Assert.Equal(HttpStatusCode.Forbidden, (await finance.PostAsync($"/api/vendors/{Vendor}/kits", Form(KitZips.CloudBackupWith()))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await finance.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/publish", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await finance.GetAsync($"/api/vendors/{Vendor}/kits")).StatusCode);
    }

    public sealed record BadKit(string Name, Func<byte[]> Zip, string File, string Place, string Message)
    {
        public override string ToString() => Name;
    }

    private static byte[] ZipOf(params (string Name, byte[] Bytes)[] entries) => KitZips.Zip(entries.ToDictionary(e => e.Name, e => e.Bytes));

    private static byte[] Corrupted()
    {
        var zip = KitZips.CloudBackupWith();
        return zip[..(zip.Length / 2)];
    }

    public static readonly BadKit[] BadKits =
    [
        new("not a zip", () => Encoding.UTF8.GetBytes("%PDF-1.7 this is a flyer, not a kit"), "kit.zip", "", "not a zip"),
        new("corrupted zip", Corrupted, "kit.zip", "", "corrupted"),
        new("entry escaping the root", () => KitZips.CloudBackupWith(files: f => f["../../etc/cron.d/evil"] = [1]), "../../etc/cron.d/evil", "", "'..'"),
        new("absolute path", () => KitZips.CloudBackupWith(files: f => f["/etc/passwd"] = [1]), "/etc/passwd", "", "absolute paths"),
        new("zip bomb", () => KitZips.CloudBackupWith(files: f => f["images/huge.bin"] = new byte[20 * 1024 * 1024]), "images/huge.bin", "", "zip bomb"),
        new("schema error", () => KitZips.CloudBackupWith(m => m.Replace("\"version\": \"1.0.0\"", "\"version\": 1")), "kit.json", "$.version", ""),
        new("missing referenced file", () => KitZips.CloudBackupWith(files: f => f.Remove("emails/welcome.html")), "kit.json", "$.content.emails[0].html", "emails/welcome.html"),
        new("Liquid that does not parse", () => KitZips.CloudBackupWith(files: f => f["emails/welcome.html"] = Encoding.UTF8.GetBytes("<p>Hello</p>\n<p>{% if recipient.first_name %}Hi</p>")),
            "emails/welcome.html", "line ", ""),
        new("font that does not load", () => KitZips.CloudBackupWith(files: f => f["fonts/DejaVuSans.ttf"] = Encoding.UTF8.GetBytes("not a font")), "", "", "font"),
        // Its header looks fine; its chunks do not add up, and no picture is stored unchecked.
        new("image that does not decode", () => WithPhoto(Png(400, 300, junk: true)), "images/photo.png", "", "damaged"),
        new("image over the pixel limit", () => WithPhoto(HostileKits.PngClaiming(6000, 5000)), "images/photo.png", "", "pixels"),
        new("negative schedule offset", () => KitZips.CloudBackupWith(m => m.Replace("{ \"day\": 2,", "{ \"day\": -2,")), "kit.json", "$.schedule[1]", ""),
        new("editable default over its limit", () => KitZips.CloudBackupWith(m => m.Replace("\"maxLength\": 20", "\"maxLength\": 5")), "kit.json", "$.editable[3]", ""),
    ];

    /// <summary>The sample kit with a photo layer added to its banner template; the photo's bytes are the test's.</summary>
    private static byte[] WithPhoto(byte[] photo) => KitZips.CloudBackupWith(files: f =>
    {
        f["images/photo.png"] = photo;
        f["images/social-banner.json"] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(f["images/social-banner.json"]).Replace("\"layers\": [",
            "\"layers\": [ { \"type\": \"image\", \"name\": \"photo\", \"file\": \"images/photo.png\", \"box\": { \"x\": 0, \"y\": 0, \"w\": 0.5, \"h\": 0.5 } },"));
    });

    /// <summary>A PNG whose header claims the size given; with junk after it, it passes a header check but cannot be decoded.</summary>
    private static byte[] Png(int width, int height, bool junk)
    {
        var header = new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' };
        var size = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(size, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(size.AsSpan(4), height);
        return [.. header, .. size, 8, 6, 0, 0, 0, .. (junk ? RandomBytes(2000) : new byte[16])];
    }

    public static TheoryData<BadKit> BadKitCases() => new(BadKits);

    [Theory]
    [MemberData(nameof(BadKitCases))]
    public async Task A_bad_kit_is_refused_with_every_problem_and_leaves_nothing_behind(BadKit bad)
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var before = await EverythingStoredAsync(app);

        var response = await client.PostAsync($"/api/vendors/{Vendor}/kits", Form(bad.Zip()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problems = await ProblemsAsync(response);
        Assert.Contains(problems, p => p.File.Contains(bad.File) && p.Place.Contains(bad.Place) && p.Message.Contains(bad.Message, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(before, await EverythingStoredAsync(app));
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/kits")).EnumerateArray());
    }

    [Fact]
    public async Task Every_problem_of_a_kit_is_reported_at_once()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var zip = KitZips.CloudBackupWith(m => m.Replace("{ \"day\": 2,", "{ \"day\": -2,").Replace("\"maxLength\": 20", "\"maxLength\": 5"),
            f => { f.Remove("emails/case-study.txt"); f["../escape.txt"] = [1]; });
        // The archive is refused first (nothing of it is unpacked); fixed, the manifest's problems come all together.
        var archive = await ProblemsAsync(await client.PostAsync($"/api/vendors/{Vendor}/kits", Form(zip)));
        Assert.Single(archive);

        var manifest = await ProblemsAsync(await client.PostAsync($"/api/vendors/{Vendor}/kits", Form(KitZips.CloudBackupWith(
            m => m.Replace("\"maxLength\": 20", "\"maxLength\": 5"),
            f => { f.Remove("emails/case-study.txt"); f["emails/welcome.html"] = Encoding.UTF8.GetBytes("{{ recipient.first_name "); }))));
        Assert.Contains(manifest, p => p.Place.StartsWith("$.editable[3]"));
        Assert.Contains(manifest, p => p.Place == "$.content.emails[1].text");
        Assert.Contains(manifest, p => p.File == "emails/welcome.html" && p.Place.StartsWith("line 1, column"));
    }

    [Fact]
    public async Task An_oversized_upload_is_413_and_a_request_without_a_kit_is_a_clear_4xx()
    {
        await using var app = await TcmaAppFactory.StartAsync(overrides: new Dictionary<string, string?> { ["Kits:MaxUploadBytes"] = "100000" });
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var big = KitZips.CloudBackupWith(files: f => f["images/noise.bin"] = RandomBytes(300_000));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsync($"/api/vendors/{Vendor}/kits", Form(big))).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsync($"/api/vendors/{Vendor}/kits", ZipBody(big))).StatusCode);

        var noFile = new MultipartFormDataContent { { new StringContent("x"), "note" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"/api/vendors/{Vendor}/kits", noFile)).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsJsonAsync($"/api/vendors/{Vendor}/kits", new { kit = "x" })).StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/kits")).EnumerateArray());
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(4).NextBytes(bytes);
        return bytes;
    }
}
