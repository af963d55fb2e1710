using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;
using Tcma.Domain.Identity;
using Tcma.Domain.Kits;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Kits;

namespace Tcma.FunctionalTests.Kits;

/// <summary>The sample kits a newcomer sees: each passes every check an upload would, loads, and previews for the demo partner.</summary>
public sealed class SampleKitTests
{
    private static readonly string Samples = Path.Combine(RepoPaths.Root, "campaign-templates");

    public static TheoryData<string> KitFolders()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.EnumerateDirectories(Samples).Where(d => File.Exists(Path.Combine(d, "kit.json"))))
            data.Add(Path.GetFileName(folder));
        return data;
    }

    [Theory]
    [MemberData(nameof(KitFolders))]
    public void Each_sample_kit_passes_every_check_an_upload_must_pass(string folder)
    {
        var (manifest, problems) = KitChecks.Check(KitChecks.ReadFolder(Path.Combine(Samples, folder)));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(folder, manifest!.Id);
    }

    [Fact]
    public async Task The_samples_load_and_every_image_previews_for_the_demo_partner_and_as_pdf_where_it_has_one()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var loaded = await app.Services.GetRequiredService<SampleData>().LoadAsync(Samples, "demo");
        Assert.Equal(Directory.EnumerateDirectories(Samples).Count(d => File.Exists(Path.Combine(d, "kit.json"))), loaded.Count);
        var client = await app.SignedInAsync("demo", VendorRole.ChannelManager);
        var partners = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/vendors/demo/partners");
        Assert.Equal(File.ReadLines(Path.Combine(Samples, "demo-partners.csv")).Count() - 1, partners.GetArrayLength());

        // Indexed and published, so the console is populated; loading again (a restart) changes nothing.
        var kits = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/vendors/demo/kits");
        Assert.Equal(loaded.Count, kits.GetArrayLength());
        Assert.All(kits.EnumerateArray(), k => Assert.Equal("Published", k.GetProperty("versions")[0].GetProperty("status").GetString()));
        Assert.Equal(loaded, await app.Services.GetRequiredService<SampleData>().LoadAsync(Samples, "demo"));

        foreach (var folder in Directory.EnumerateDirectories(Samples).Where(d => File.Exists(Path.Combine(d, "kit.json"))))
        {
            var (manifest, _) = KitManifestReader.Read(File.ReadAllBytes(Path.Combine(folder, "kit.json")));
            foreach (var image in manifest!.Content.Images)
            {
                var url = $"/api/vendors/demo/kits/{manifest.Id}/versions/{manifest.Version}/images/{image.Id}/preview?partner={SampleData.DemoPartnerFolder}";
                var png = await client.GetAsync(url);
                Assert.True(png.StatusCode == HttpStatusCode.OK, $"{url}: {await png.Content.ReadAsStringAsync()}");
                using (var bitmap = SKBitmap.Decode(await png.Content.ReadAsByteArrayAsync()))
                    Assert.True(bitmap.Width > 0 && bitmap.Height > 0);
                if (!System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, image.Template)))!.AsObject().ContainsKey("pdf")) continue;
                var pdf = await client.GetAsync(url + "&format=pdf");
                Assert.True(pdf.StatusCode == HttpStatusCode.OK, $"{url}&format=pdf: {await pdf.Content.ReadAsStringAsync()}");
            }
        }
    }

    [Fact]
    public async Task Each_sample_email_previews_in_the_partners_name_with_its_address_and_an_unsubscribe_link()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        await app.Services.GetRequiredService<SampleData>().LoadAsync(Samples, "demo");
        var client = await app.SignedInAsync("demo", VendorRole.ChannelManager);

        foreach (var folder in Directory.EnumerateDirectories(Samples).Where(d => File.Exists(Path.Combine(d, "kit.json"))))
        {
            var (manifest, _) = KitManifestReader.Read(File.ReadAllBytes(Path.Combine(folder, "kit.json")));
            foreach (var email in manifest!.Content.Emails)
            {
                var url = $"/api/vendors/demo/kits/{manifest.Id}/versions/{manifest.Version}/emails/{email.Id}/preview?partner={SampleData.DemoPartnerFolder}";
                var html = await client.GetAsync(url);
                Assert.True(html.StatusCode == HttpStatusCode.OK, $"{url}: {await html.Content.ReadAsStringAsync()}");
                Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
                // The vendor's markup runs in a sandbox, never with the console's origin.
                Assert.StartsWith("sandbox", html.Headers.GetValues("Content-Security-Policy").Single());
                var body = await html.Content.ReadAsStringAsync();
                Assert.Contains("Harbour IT Services", body);
                Assert.Contains("200 Atlantic Avenue", body);
                Assert.Contains("unsubscribe", body, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("{{", body);
                Assert.False(string.IsNullOrWhiteSpace(Uri.UnescapeDataString(html.Headers.GetValues("Tcma-Email-Subject").Single())));

                var text = await client.GetStringAsync(url + "&part=text");
                Assert.Contains("Harbour IT Services", text);
                Assert.DoesNotContain("<", text);
            }
        }
    }

    [Fact]
    public async Task A_countdown_that_reads_the_clock_is_cached_within_the_hour_and_redrawn_after_it()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 5, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock: clock);
        await app.Services.GetRequiredService<SampleData>().LoadAsync(Samples, "demo");
        var client = await app.SignedInAsync("demo", VendorRole.ChannelManager);
        var renders = app.Services.GetRequiredService<Tcma.Functions.Rendering.RenderService>();
        var url = $"/api/vendors/demo/kits/webinar-invitation/versions/1.0.0/images/countdown-banner/preview?partner={SampleData.DemoPartnerFolder}";

        var first = await client.GetByteArrayAsync(url);
        clock.Advance(TimeSpan.FromMinutes(40));
        Assert.Equal(first, await client.GetByteArrayAsync(url));
        Assert.Equal(1, renders.RendersPerformed);

        clock.Advance(TimeSpan.FromDays(3));
        client = await app.SignedInAsync("demo", VendorRole.ChannelManager); // the sign-in of three days ago has expired
        Assert.NotEqual(first, await client.GetByteArrayAsync(url));
        Assert.Equal(2, renders.RendersPerformed);
    }
}
