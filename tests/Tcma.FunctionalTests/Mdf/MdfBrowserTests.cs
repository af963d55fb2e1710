using System.Globalization;
using Microsoft.Playwright;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>
/// The whole MDF path in a real Chromium at phone width: the partner proposes on its MDF page, the channel manager
/// approves from the email read back from maildev (through the confirm page), the partner claims with a PDF invoice,
/// finance approves the claim from its email, exports the payout for the ERP and marks it paid in the console; the
/// partner's fund figures add up at every step.
/// </summary>
public sealed class MdfBrowserTests
{
    [Fact]
    public async Task Propose_approve_from_email_claim_with_a_pdf_and_finance_approval_with_figures_that_add_up_throughout()
    {
        await using var kit = await MdfTestKit.StartAsync(kestrel: true);
        await using var context = await Browser.NewContextAsync(kit.App.PublicAddress!, 375, 740);
        var page = await context.NewPageAsync();
        var mdf = $"/partner/mdf?t={kit.PartnerToken}";

        await page.GotoAsync(mdf);
        await AssertFiguresAsync(page, available: 20_000m, reserved: 0m, claimed: 0m);

        await page.Locator("[data-fund='q1-2026'] summary").ClickAsync();
        await page.Locator("#type-q1-2026").SelectOptionAsync("events");
        await page.Locator("#desc-q1-2026").FillAsync("Partner breakfast for 40 IT managers");
        await page.Locator("#start-q1-2026").FillAsync("2026-02-02");
        await page.Locator("#end-q1-2026").FillAsync("2026-02-03");
        await page.Locator("#cost-q1-2026").FillAsync("4,000");
        await page.Locator("#req-q1-2026").FillAsync("2000");
        await page.Locator("#leads-q1-2026").FillAsync("25");
        await page.Locator("#pipe-q1-2026").FillAsync("100000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit the proposal" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=done]");
        await AssertFiguresAsync(page, available: 18_000m, reserved: 2_000m, claimed: 0m);
        var requestId = await page.Locator("[data-request]").GetAttributeAsync("data-request");
        Assert.Equal("PendingApproval", await page.Locator("[data-status]").InnerTextAsync());

        var approve = (await kit.LinksAsync(kit.ChannelManager, requestId!))["Approve"];
        var approver = await context.NewPageAsync();
        await approver.GotoAsync(approve);
        await approver.GetByRole(AriaRole.Button, new() { Name = "Confirm: Approve" }).ClickAsync();
        Assert.Equal("Done", await approver.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());

        await page.GotoAsync(mdf);
        Assert.Equal("Approved", await page.Locator("[data-status]").InnerTextAsync());
        await AssertFiguresAsync(page, available: 18_000m, reserved: 2_000m, claimed: 0m);

        kit.Clock.Advance(TimeSpan.FromDays(30));
        await page.Locator($"[data-request='{requestId}'] summary", new() { HasText = "Claim" }).ClickAsync();
        await page.Locator($"#cost-{requestId}").FillAsync("3000");
        await page.Locator($"#leads-{requestId}").FillAsync("31");
        await page.Locator($"#pipe-{requestId}").FillAsync("120000");
        await page.Locator($"#proof-{requestId}").SetInputFilesAsync(new FilePayload { Name = "invoice.pdf", MimeType = "application/pdf", Buffer = MdfClaimTests.Pdf });
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit the claim" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=done]");
        await AssertFiguresAsync(page, available: 18_500m, reserved: 0m, claimed: 1_500m);
        var claimId = await page.Locator("[data-claim]").GetAttributeAsync("data-claim");

        var finance = (await kit.LinksAsync(kit.Finance, claimId!))["Approve"];
        await approver.GotoAsync(finance);
        await approver.GetByRole(AriaRole.Button, new() { Name = "Confirm: Approve" }).ClickAsync();
        Assert.Equal("Done", await approver.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());

        await page.GotoAsync(mdf);
        Assert.Equal("Approved", await page.Locator("[data-claim-status]").InnerTextAsync());
        await AssertFiguresAsync(page, available: 18_500m, reserved: 0m, claimed: 1_500m);

        // Finance exports the payout for the ERP and, once the ERP has paid, marks it paid in the console.
        var financePage = await context.NewPageAsync();
        await financePage.GotoAsync("/console/mdf/payouts");
        await financePage.GetByLabel("Vendor id").FillAsync(kit.Vendor);
        await financePage.GetByLabel("Email").FillAsync(kit.Finance.Email);
        await financePage.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Finance" });
        await financePage.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await financePage.ArrivedAtAsync("**/console/mdf/payouts");
        await financePage.GetByRole(AriaRole.Button, new() { Name = "Export 1 for the ERP" }).ClickAsync();
        await financePage.ArrivedAtAsync("**/console/mdf/payouts?exported=*");
        var download = await financePage.RunAndWaitForDownloadAsync(() => financePage.GetByRole(AriaRole.Link, new() { Name = "Download the CSV" }).ClickAsync());
        var rows = CsvText.Read(await File.ReadAllTextAsync((await download.PathAsync())!))!;
        Assert.Equal(2, rows.Count);
        Assert.Contains(rows[1], cell => cell.Contains(claimId!));
        await AssertFiguresAsync(page, available: 18_500m, reserved: 0m, claimed: 1_500m);
        await financePage.GetByLabel($"ERP payment reference for claim {claimId}").FillAsync("ERP-2026-41");
        await financePage.GetByRole(AriaRole.Form, new() { Name = $"Mark claim {claimId} paid" }).GetByRole(AriaRole.Button).ClickAsync();
        await financePage.ArrivedAtAsync("**/console/mdf/payouts?paid=*");

        await page.GotoAsync(mdf);
        Assert.Equal("Paid", await page.Locator("[data-claim-status]").InnerTextAsync());
        await AssertFiguresAsync(page, available: 18_500m, reserved: 0m, claimed: 0m, paid: 1_500m);
        var screenshot = Browser.ScreenshotPath("mdf-partner-375");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        await kit.AssertLedgerExactAsync();
    }

    /// <summary>Reads the figures as the partner sees them and checks that money in equals where it is.</summary>
    private static async Task AssertFiguresAsync(IPage page, decimal available, decimal reserved, decimal claimed, decimal paid = 0m)
    {
        async Task<decimal> Figure(string name) =>
            decimal.Parse((await page.Locator($"[data-fund='q1-2026'] [data-figure='{name}']").InnerTextAsync()).Replace("USD", "").Trim(), NumberStyles.Number, CultureInfo.InvariantCulture);
        var (allocated, accrued, adjusted) = (await Figure("allocated"), await Figure("accrued"), await Figure("adjusted"));
        var (avail, res, cl, pd, expired) = (await Figure("available"), await Figure("reserved"), await Figure("claimed"), await Figure("paid"), await Figure("expired"));
        Assert.Equal(allocated + accrued + adjusted, avail + res + cl + pd + expired);
        Assert.Equal((available, reserved, claimed, paid), (avail, res, cl, pd));
        Assert.DoesNotContain("DOES NOT ADD UP", await page.Locator("[data-figure='check']").InnerTextAsync());
    }
}
