using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Identity;
using Tcma.Functions.Identity;
using Tcma.Domain.Leads;
using Tcma.FunctionalTests.Infrastructure;
using static Tcma.FunctionalTests.Leads.LeadRoutingSupport;

namespace Tcma.FunctionalTests.Leads;

/// <summary>The partner's journey in a real browser: the NewLead email read back from maildev, Accept through the confirm page, Won from the inbox.</summary>
public sealed class LeadInboxBrowserTests
{
    private const string Vendor = "adventure";

    /// <summary>An API key made by the vendor's admin, over the real socket (the in-memory client does not reach a Kestrel app).</summary>
    private static async Task<HttpClient> KestrelApiAsync(TcmaAppFactory app)
    {
        var admin = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = app.PublicAddress };
        var signIn = await admin.PostAsync("/signin/dev", await TestIdentities.SignInFormAsync(admin, new()
        {
            ["Vendor"] = Vendor, ["Email"] = "admin@adventure.example", ["Role"] = nameof(VendorRole.VendorAdmin), ["ReturnUrl"] = "/console",
        }));
        Assert.Equal(System.Net.HttpStatusCode.Redirect, signIn.StatusCode);
        var created = await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/api-keys", new { name = "crm", roles = new[] { nameof(VendorRole.ChannelManager) } });
        var key = (await created.Content.ReadFromJsonAsync<CreatedApiKey>())!.Key;
        var api = new HttpClient { BaseAddress = app.PublicAddress };
        api.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return api;
    }

    [Fact]
    public async Task A_partner_accepts_a_routed_lead_from_its_email_and_marks_it_won_in_the_inbox()
    {
        await using var app = await TcmaAppFactory.StartAsync(kestrel: true);
        // Emailed links must point at this very server; the port is known only now, before the first link is made.
        app.Services.GetRequiredService<IConfiguration>()["Leads:PublicBaseUrl"] = app.PublicAddress!.ToString();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var partnerEmail = $"sales-{tag}@alpha.example";
        await SeedAsync(app, Vendor, Partner("alpha", "Alpha GmbH", partnerEmail));
        var leadId = await CaptureAsync(await KestrelApiAsync(app), Vendor, product: "Backup");

        var mail = Assert.Single(await app.Inbox.WaitForAsync(partnerEmail));
        await using var context = await Browser.NewContextAsync(app.PublicAddress!, 375, 740);
        var page = await context.NewPageAsync();
        // The partner reads the email as maildev received it and follows its Accept link.
        await page.SetContentAsync(mail.Html!);
        await page.GetByRole(AriaRole.Link, new() { Name = "Accept the lead" }).ClickAsync();
        await page.ArrivedAtAsync("**/partner/leads/answer?t=*");
        Assert.Equal("Accept this lead?", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        Assert.Equal(RoutingPhase.AwaitingAcceptance, (await StateAsync(app, Vendor, leadId)).Routing.Phase);

        await page.GetByRole(AriaRole.Button, new() { Name = "Accept the lead" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "The lead is yours" }).WaitForAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Open your leads" }).ClickAsync();
        await page.ArrivedAtAsync("**/partner/leads?t=*");
        Assert.Equal("Your leads", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        Assert.Contains("Accepted", await page.Locator($"[data-lead='{leadId}'] h2").InnerTextAsync());

        await page.GetByLabel("Amount").FillAsync("12500");
        await page.GetByLabel("Currency").FillAsync("EUR");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark Won" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved: the lead is now Won" }).WaitForAsync();
        Assert.Contains("12500 EUR", await page.Locator($"[data-lead='{leadId}']").InnerTextAsync());

        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 375, $"the inbox is {scrollWidth}px wide in a 375px viewport");
        Assert.Equal(new LeadStatus.Won(12500m, "EUR"), (await LeadWhenAsync(app, Vendor, leadId, l => l.Status is LeadStatus.Won)).Status);
    }
}
