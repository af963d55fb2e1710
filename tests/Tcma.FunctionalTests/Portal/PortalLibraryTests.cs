using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Kits;
using Tcma.Functions.Portal;
using Tcma.Storage.Partners;
using Tcma.Storage.Rendering;
using static Tcma.FunctionalTests.Portal.PortalSetup;

namespace Tcma.FunctionalTests.Portal;

/// <summary>The campaign library lists, previews and opens exactly what the partner may launch at the moment it asks.</summary>
public sealed class PortalLibraryTests
{
    [Fact]
    public async Task A_version_aimed_at_other_partners_is_neither_listed_nor_previewed_nor_opened()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        await PartnerAsync(app, "harbour", Unique("dana"), tier: "Gold");
        await app.Services.GetRequiredService<BrandProfileStore>().SaveAsync(Vendor, "harbour", SamplePartner.Profile);
        await PublishAsync(app, "for-gold");
        await PublishAsync(app, "for-platinum", m => m.Replace("\"tiers\": [\"Gold\", \"Silver\"]", "\"tiers\": [\"Platinum\"]"));
        var partner = await SessionByLinkAsync(app, "harbour");

        var library = await partner.GetStringAsync("/partner/library");
        Assert.Contains("data-kit=\"for-gold\"", library);
        Assert.DoesNotContain("for-platinum", library);
        var fingerprint = Tcma.Rendering.Images.RenderKey.BrandFingerprint((await app.Services.GetRequiredService<BrandProfileStore>().GetAsync(Vendor, "harbour", default))!);
        var visible = await partner.GetAsync(PartnerPortal.ThumbnailPath("for-gold", "1.0.0", fingerprint));
        Assert.Equal(HttpStatusCode.OK, visible.StatusCode);
        Assert.Equal("image/jpeg", visible.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync(PartnerPortal.ThumbnailPath("for-platinum", "1.0.0", fingerprint))).StatusCode);

        var opened = await partner.GetAsync("/partner/launch?kit=for-platinum&version=1.0.0");
        Assert.Equal(HttpStatusCode.Conflict, opened.StatusCode);
        Assert.Contains("can't be launched", WebUtility.HtmlDecode(await opened.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_partner_whose_tier_changes_or_whose_campaign_is_recalled_while_the_library_is_open_is_told_why_at_launch()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var partnerRow = await PartnerAsync(app, "harbour", Unique("dana"), tier: "Gold");
        await PublishAsync(app, "for-gold");
        await PublishAsync(app, "recalled-soon");
        var partner = await SessionByLinkAsync(app, "harbour");
        var library = await partner.GetStringAsync("/partner/library");
        Assert.Contains("/partner/launch?kit=for-gold&amp;version=1.0.0", library);
        Assert.Contains("/partner/launch?kit=recalled-soon&amp;version=1.0.0", library);

        // The vendor moves the partner to a tier the kit is not aimed at, and recalls the other kit, while the page is open.
        var directory = app.Services.GetRequiredService<PartnerDirectory>();
        await directory.SaveAsync(Vendor, partnerRow with { Tier = "Bronze" }, "casey", DateTimeOffset.UtcNow);
        var uploads = app.Services.GetRequiredService<KitUploads>();
        Assert.IsType<KitChangeOutcome.Changed>(await uploads.ChangeAsync(Vendor, "recalled-soon", "1.0.0", Domain.Kits.KitAction.Recall, "casey", default));

        var tier = await partner.GetAsync("/partner/launch?kit=for-gold&version=1.0.0");
        Assert.Equal(HttpStatusCode.Conflict, tier.StatusCode);
        var tierPage = WebUtility.HtmlDecode(await tier.Content.ReadAsStringAsync());
        Assert.Contains("can't be launched", tierPage);
        Assert.Contains("Bronze", tierPage);
        var recalled = await partner.GetAsync("/partner/launch?kit=recalled-soon&version=1.0.0");
        Assert.Equal(HttpStatusCode.Conflict, recalled.StatusCode);
        Assert.Contains("withdrew this version", WebUtility.HtmlDecode(await recalled.Content.ReadAsStringAsync()));

        // And the library, read again, no longer offers either.
        app.Services.GetRequiredService<PortalCatalog>().Forget(Vendor);
        var now = await partner.GetStringAsync("/partner/library");
        Assert.DoesNotContain("kit=for-gold", now);
        Assert.DoesNotContain("kit=recalled-soon", now);
    }
}
