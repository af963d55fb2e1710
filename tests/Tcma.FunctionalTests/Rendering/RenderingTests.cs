using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;
using Tcma.Domain.Identity;
using Tcma.Domain.Kits;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Kits;
using Tcma.Functions.Rendering;
using Tcma.Storage;
using Tcma.Storage.Messaging;

namespace Tcma.FunctionalTests.Rendering;

/// <summary>
/// Brand profiles through the API, and co-branded previews and queued renders of a stored kit version, through
/// the real app on Azurite: what a channel manager does before inviting partners.
/// </summary>
public sealed class RenderingTests
{
    private static readonly string Samples = Path.Combine(RepoPaths.Root, "tests", "Tcma.UnitTests", "Rendering", "Images", "Samples");
    private const string Vendor = "northwind";

    private const string Manifest = """
        {
          "id": "spring-offer", "name": "Spring offer", "vendor": "Northwind", "version": "1.0.0", "languages": ["en"],
          "content": { "images": [ { "id": "banner", "template": "templates/social-banner.json" } ] },
          "schedule": [ { "day": 0, "social": "post" } ],
          "editable": [
            { "name": "headline", "label": "Headline", "type": "text", "maxLength": 80, "default": "Back up before spring cleaning" },
            { "name": "body", "label": "Body", "type": "multiline", "maxLength": 200, "default": "Book a free backup check this month." },
            { "name": "details", "label": "Details", "type": "multiline", "maxLength": 200, "default": "Every Friday in April." },
            { "name": "call_to_action", "label": "Button", "type": "text", "maxLength": 30, "default": "Book now" }
          ]
        }
        """;

    private static async Task StoreSampleKitAsync(TcmaAppFactory app, string kitId = "spring-offer")
    {
        var files = new Dictionary<string, byte[]> { [KitManifestReader.FileName] = System.Text.Encoding.UTF8.GetBytes(Manifest) };
        foreach (var path in Directory.EnumerateFiles(Samples, "*", SearchOption.AllDirectories))
            files[Path.GetRelativePath(Samples, path).Replace('\\', '/')] = await File.ReadAllBytesAsync(path);
        await app.Services.GetRequiredService<KitVersionFiles>().PutAsync(Vendor, kitId, "1.0.0", new KitFiles(files));
    }

    private static MultipartFormDataContent BrandForm(string company, string primary, string secondary, string logoFile, string phone = "+1 202 555 0143", byte[]? logoBytes = null)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(company), "companyName" },
            { new StringContent(primary), "primaryColour" },
            { new StringContent(secondary), "secondaryColour" },
            { new StringContent("Dana Ortiz"), "contactPerson" },
            { new StringContent(phone), "phone" },
            { new StringContent("dana@example.com"), "email" },
            { new StringContent("https://example.com"), "website" },
            { new StringContent("1 Main Street"), "street" },
            { new StringContent("Springfield"), "city" },
            { new StringContent("12345"), "postalCode" },
            { new StringContent("US"), "countryCode" },
            { new StringContent("America/New_York"), "timeZone" },
            { new StringContent("en-US"), "language" },
        };
        var logo = new ByteArrayContent(logoBytes ?? File.ReadAllBytes(Path.Combine(Samples, "logos", logoFile)));
        logo.Headers.ContentType = new("image/png");
        form.Add(logo, "logo", logoFile);
        return form;
    }

    [Fact]
    public async Task A_channel_manager_saves_a_brand_profile_and_reads_it_back_with_its_logo()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);

        var saved = await client.PutAsync($"/api/vendors/{Vendor}/partners/p-1/brand-profile", BrandForm("Navy IT", "#0B1F4B", "#1E4FA3", "navy-logo.png"));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);

        var profile = await client.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/partners/p-1/brand-profile");
        Assert.Equal("Navy IT", profile.GetProperty("companyName").GetString());
        Assert.Equal("#0B1F4B", profile.GetProperty("primaryColour").GetString());
        Assert.Equal("+12025550143", profile.GetProperty("contact").GetProperty("phoneE164").GetString());
        var logo = await client.GetByteArrayAsync(profile.GetProperty("logoUrl").GetString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(Samples, "logos", "navy-logo.png")), logo);
    }

    [Fact]
    public async Task A_bad_brand_profile_gets_every_problem_by_field_and_nothing_is_saved()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var form = BrandForm("Navy IT", "navy-ish", "#1E4FA3", "logo.png", phone: "12", logoBytes: "%PDF-1.7 not an image"u8.ToArray());

        var response = await client.PutAsync($"/api/vendors/{Vendor}/partners/p-2/brand-profile", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        var fields = errors.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Contains(fields, f => f.Contains("rimary", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(fields, f => f.Contains("hone", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(fields, f => f.Contains("ogo", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/vendors/{Vendor}/partners/p-2/brand-profile")).StatusCode);
    }

    [Fact]
    public async Task Another_vendors_user_cannot_read_or_write_this_vendors_brand_profiles()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var owner = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsync($"/api/vendors/{Vendor}/partners/p-1/brand-profile", BrandForm("Navy IT", "#0B1F4B", "#1E4FA3", "navy-logo.png"))).StatusCode);

        var stranger = await app.SignedInAsync("contoso", VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/vendors/{Vendor}/partners/p-1/brand-profile")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PutAsync($"/api/vendors/{Vendor}/partners/p-1/brand-profile", BrandForm("Evil", "#000000", "#111111", "navy-logo.png"))).StatusCode);
        var profile = await owner.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/partners/p-1/brand-profile");
        Assert.Equal("Navy IT", profile.GetProperty("companyName").GetString());
    }

    [Fact]
    public async Task A_preview_is_the_partners_co_branded_image_and_a_second_preview_costs_no_rendering()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        await StoreSampleKitAsync(app);
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/vendors/{Vendor}/partners/sunny/brand-profile", BrandForm("Sunny Systems", "#FFD400", "#FFB000", "sunny-logo.png"))).StatusCode);
        var renders = app.Services.GetRequiredService<RenderService>();
        var url = $"/api/vendors/{Vendor}/kits/spring-offer/versions/1.0.0/images/banner/preview?partner=sunny&size=1200x628&format=png";

        var first = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("image/png", first.Content.Headers.ContentType?.MediaType);
        var bytes = await first.Content.ReadAsByteArrayAsync();
        using (var bitmap = SKBitmap.Decode(bytes))
        {
            Assert.Equal(1200, bitmap.Width);
            Assert.Equal(628, bitmap.Height);
        }
        // White headline on bright yellow is unreadable: the template's fallback colour was used, and the preview says so.
        Assert.Contains("contrast fallback", string.Join(" ", first.Headers.GetValues("Tcma-Render-Warnings")));
        Assert.Equal(1, renders.RendersPerformed);

        var second = await client.GetAsync(url);
        Assert.Equal(bytes, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, renders.RendersPerformed);

        var pdf = await client.GetAsync(url.Replace("format=png", "format=pdf"));
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString((await pdf.Content.ReadAsByteArrayAsync())[..4]));
    }

    [Fact]
    public async Task Previews_say_plainly_what_is_missing_or_wrong()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        await StoreSampleKitAsync(app);
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var baseUrl = $"/api/vendors/{Vendor}/kits/spring-offer/versions/1.0.0/images";

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{baseUrl}/banner/preview?partner=nobody")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/vendors/{Vendor}/partners/p-1/brand-profile", BrandForm("Navy IT", "#0B1F4B", "#1E4FA3", "navy-logo.png"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{baseUrl}/poster/preview?partner=p-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/vendors/{Vendor}/kits/spring-offer/versions/9.9.9/images/banner/preview?partner=p-1")).StatusCode);
        var badSize = await client.GetAsync($"{baseUrl}/banner/preview?partner=p-1&size=10x10");
        Assert.Equal(HttpStatusCode.BadRequest, badSize.StatusCode);
        Assert.Contains("has no size 10x10", await badSize.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"{baseUrl}/banner/preview?partner=p-1&format=gif")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"{baseUrl}/banner/preview")).StatusCode);
        Assert.Equal(0, app.Services.GetRequiredService<RenderService>().RendersPerformed);
    }

    [Fact]
    public async Task A_queued_render_request_lands_in_the_render_cache()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        await StoreSampleKitAsync(app);
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/vendors/{Vendor}/partners/p-1/brand-profile", BrandForm("Navy IT", "#0B1F4B", "#1E4FA3", "navy-logo.png"))).StatusCode);
        var renders = app.Services.GetRequiredService<RenderService>();

        await app.Services.GetRequiredService<IMessageSender>().SendAsync(RenderingEndpoints.RenderQueue,
            new RenderRequest(Vendor, "spring-offer", "1.0.0", "banner", "p-1", "jpeg", "1080x1080"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (renders.RendersPerformed == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(1, renders.RendersPerformed);

        var storage = app.Services.GetRequiredService<StorageAccount>();
        var stored = new List<string>();
        for (var i = 0; i < 50 && stored.Count == 0; i++, await Task.Delay(100))
            await foreach (var blob in storage.Container("renders").GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, null, default))
                stored.Add(blob.Name);
        Assert.EndsWith(".jpeg", Assert.Single(stored));

        // The preview of the same asset is now a cache hit.
        var preview = await client.GetAsync($"/api/vendors/{Vendor}/kits/spring-offer/versions/1.0.0/images/banner/preview?partner=p-1&size=1080x1080&format=jpeg");
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal(1, renders.RendersPerformed);
    }
}
