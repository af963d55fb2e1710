using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Deals;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Identity;
using Tcma.Functions.Deals;
using Tcma.Storage.Deals;

namespace Tcma.FunctionalTests.Deals;

/// <summary>Registrations against real Azurite and maildev: the race for a customer, protection, approvals from email, rules versions.</summary>
public sealed class DealRegistrationTests
{
    private static readonly string[] Six = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];

    [Fact]
    public async Task Six_partners_registering_the_same_customer_at_the_same_moment_leave_exactly_one_registration_going_ahead()
    {
        await using var kit = await DealTestKit.StartAsync(rules: r => r with { QueueBehindPending = false }, partners: Six);
        // The same customer spelled six ways, all at once: storage decides who was first on the claim rows.
        string[] names = ["Contoso Ltd", "CONTOSO LIMITED", "Contoso Ltd.", "contoso ltd", "Contoso, Ltd", "Contoso Limited"];
        var responses = await Task.WhenAll(Six.Select((p, i) => kit.RegisterAsync(p, DealTestKit.Registration(company: names[i], email: $"buyer{i}@contoso.com"))));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.All(bodies.Where(b => b.Contains("deal.registered_first_elsewhere")), b => Assert.DoesNotContain(" Systems", b));
        Assert.Equal(5, bodies.Count(b => b.Contains("deal.registered_first_elsewhere")));

        var winner = Six[Array.FindIndex(responses, r => r.StatusCode == HttpStatusCode.Created)];
        var claims = await kit.App.Services.GetRequiredService<ClaimStore>().ReadAsync(kit.Vendor, ["n:contoso", "d:contoso.com"]);
        Assert.All(claims, row => Assert.Equal([winner], row.Holders.Select(h => h.PartnerId)));
    }

    [Fact]
    public async Task Under_queueing_rules_the_later_registrations_wait_and_the_next_goes_ahead_when_the_first_is_rejected()
    {
        await using var kit = await DealTestKit.StartAsync();
        var responses = await Task.WhenAll(new[] { "alpha", "bravo" }.Select(p => kit.RegisterAsync(p, DealTestKit.Registration())));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var views = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<DealView>(MdfJson.Options)));
        var first = views.Single(v => v!.Status == DealStatus.PendingApproval)!;
        var second = views.Single(v => v!.Status == DealStatus.Queued)!;

        var links = await kit.LinksAsync(kit.Manager, first.Id);
        var (status, html) = await kit.ConfirmAsync(links["Reject with reason"], new() { ["text"] = "Customer already talks to our direct team" });
        Assert.True(status == HttpStatusCode.OK, html);
        var next = await DealTestKit.EventuallyAsync(() => kit.OwnAsync(second.PartnerId, second.Id), v => v.Status == DealStatus.PendingApproval);
        Assert.Equal(1, next.RulesVersion);
        await kit.LinksAsync(kit.Manager, second.Id, count: 2);
    }

    [Fact]
    public async Task Approved_from_the_email_the_customer_is_protected_and_another_partner_is_told_until_when_but_never_by_whom()
    {
        await using var kit = await DealTestKit.StartAsync();
        var deal = await kit.RegisterOkAsync("alpha");
        Assert.Equal(DealStatus.PendingApproval, deal.Status);
        Assert.Null(deal.Evidence);

        var links = await kit.LinksAsync(kit.Manager, deal.Id);
        var mail = (await kit.App.Inbox.WaitForAsync(kit.Manager.Email)).Last();
        Assert.Contains("Rules of engagement (version 1)", mail.Text);
        // The confirm page shows what the check found; a GET changes nothing.
        var page = await (await kit.App.Anonymous().GetAsync(links["Approve"])).Content.ReadAsStringAsync();
        Assert.Contains("Conflict evidence", page);
        Assert.Equal(DealStatus.PendingApproval, (await kit.OwnAsync("alpha", deal.Id)).Status);
        var (status, html) = await kit.ConfirmAsync(links["Approve"]);
        Assert.True(status == HttpStatusCode.OK, html);
        var approved = await kit.OwnAsync("alpha", deal.Id);
        Assert.Equal(DealStatus.Approved, approved.Status);
        Assert.Equal(new DateOnly(2026, 5, 30), approved.ProtectedUntil);
        Assert.Equal("an extra 10% discount on the registered products", approved.Benefits);
        var partnerMail = await DealTestKit.EventuallyAsync(() => kit.App.Inbox.ToAsync(kit.PartnerEmail("alpha")), m => m.Any(x => x.Subject!.StartsWith("Approved")));
        Assert.Contains("protected until 30 May 2026", partnerMail.First(x => x.Subject!.StartsWith("Approved")).Text);

        // Another spelling and another contact of the same company: protected, with the end day, never the holder.
        var refused = await kit.RegisterAsync("bravo", DealTestKit.Registration(company: "CONTOSO LIMITED", email: "bob@contoso.com"));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("deal.protected", body);
        Assert.Contains("already registered by another partner until 30 May 2026", body);
        Assert.DoesNotContain("alpha", body, StringComparison.OrdinalIgnoreCase);

        // The approver's view of the refused one shows who holds it.
        var bravoId = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("registration").GetProperty("id").GetString()!;
        var evidence = (await kit.VendorViewAsync(bravoId)).Evidence!;
        Assert.Contains(evidence, e => e.Id == deal.Id && e.PartnerId == "alpha" && e.SameOpportunity);

        // Won with its amount; the history is the audit trail.
        Assert.Equal(HttpStatusCode.OK, (await kit.StageAsync("alpha", deal.Id, new { stage = "proposal" })).StatusCode);
        var won = await kit.StageAsync("alpha", deal.Id, new { stage = "won", amount = "62,500" });
        Assert.Equal(HttpStatusCode.OK, won.StatusCode);
        var vendorView = await kit.VendorViewAsync(deal.Id);
        Assert.Equal(DealStatus.Won, vendorView.Status);
        Assert.Equal(DealTestKit.Usd(62_500m), vendorView.WonAmount);
        string[] expected = ["submitted under rules version 1", "approved at level 1 (final)", "stage: Proposal", "won for USD 62,500.00"];
        Assert.Equal(expected.Length, vendorView.History.Count);
        Assert.All(expected.Zip(vendorView.History), x => Assert.StartsWith(x.First, x.Second.What));
        Assert.Equal(kit.Manager.UserId, vendorView.History[1].By);
    }

    [Fact]
    public async Task Approved_twice_from_two_emails_makes_one_decision()
    {
        await using var kit = await DealTestKit.StartAsync();
        var deal = await kit.RegisterOkAsync("alpha");
        var manager = await kit.LinksAsync(kit.Manager, deal.Id);
        await kit.AdvanceAsync(TimeSpan.FromDays(4));
        var backup = await kit.LinksAsync(kit.ManagerBackup, deal.Id);

        var results = await Task.WhenAll(kit.ConfirmAsync(manager["Approve"]), kit.ConfirmAsync(backup["Approve"]));
        Assert.Single(results, r => r.Status == HttpStatusCode.OK);
        Assert.Single(results, r => r.Status == HttpStatusCode.Conflict);
        var view = await kit.VendorViewAsync(deal.Id);
        Assert.Equal(DealStatus.Approved, view.Status);
        Assert.Single(view.History, h => h.What.StartsWith("approved"));
    }

    [Fact]
    public async Task A_rules_change_while_a_registration_is_pending_leaves_it_judged_by_the_version_it_was_submitted_under()
    {
        await using var kit = await DealTestKit.StartAsync();
        var deal = await kit.RegisterOkAsync("alpha");
        var published = await kit.PublishAsync(kit.Rules() with { ProtectionDays = 30, ExtensionDays = 0 }, 1);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        // An edit of the old version is refused: someone published since.
        Assert.Equal(HttpStatusCode.Conflict, (await kit.PublishAsync(kit.Rules(), 1)).StatusCode);

        var links = await kit.LinksAsync(kit.Manager, deal.Id);
        Assert.Equal(HttpStatusCode.OK, (await kit.ConfirmAsync(links["Approve"])).Status);
        var approved = await kit.OwnAsync("alpha", deal.Id);
        Assert.Equal(1, approved.RulesVersion);
        Assert.Equal(new DateOnly(2026, 5, 30), approved.ProtectedUntil);
        Assert.True(approved.CanExtend);

        var later = await kit.RegisterOkAsync("bravo", DealTestKit.Registration(company: "Fabrikam GmbH", email: "eva@fabrikam.de"));
        Assert.Equal(2, later.RulesVersion);
    }

    [Fact]
    public async Task Protection_reminds_the_partner_14_and_3_days_before_it_ends_and_an_extension_decided_after_the_end_extends_nothing()
    {
        await using var kit = await DealTestKit.StartAsync();
        var deal = await kit.ApprovedAsync("alpha");
        var asked = await kit.Partners["alpha"].PostAsync($"/api/partner/deals/{deal.Id}/extension", DealTestKit.Json(new { text = "Board meets in June" }));
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var extensionMail = await kit.LinksAsync(kit.Manager, deal.Id, count: 2);
        Assert.Contains("Approve the extension", extensionMail.Keys);

        await kit.AdvanceAsync(TimeSpan.FromDays(76) - TimeSpan.FromHours(9) + TimeSpan.FromMinutes(1));
        await DealTestKit.EventuallyAsync(() => kit.App.Inbox.ToAsync(kit.PartnerEmail("alpha")), m => m.Any(x => x.Subject!.EndsWith("ends in 14 days")));
        await kit.AdvanceAsync(TimeSpan.FromDays(11));
        await DealTestKit.EventuallyAsync(() => kit.App.Inbox.ToAsync(kit.PartnerEmail("alpha")), m => m.Any(x => x.Subject!.EndsWith("ends in 3 days")));
        await kit.AdvanceAsync(TimeSpan.FromDays(3));
        var expired = await kit.OwnAsync("alpha", deal.Id);
        Assert.Equal(DealStatus.Expired, expired.Status);

        // The emailed link has expired by now (410); a fresh one for the same step finds nothing left to extend.
        Assert.Equal(HttpStatusCode.Gone, (await kit.App.Anonymous().GetAsync(extensionMail["Approve the extension"])).StatusCode);
        var fresh = kit.App.Services.GetRequiredService<DealLinks>().ActionPath(kit.Vendor, new DealActionLink(deal.Id, expired.Step, Tcma.Domain.Mdf.LinkPurpose.ApproveExtension, kit.Manager.UserId));
        var (status, html) = await kit.ConfirmAsync(fresh);
        Assert.True(status == HttpStatusCode.Conflict, html);
        Assert.Equal(DealStatus.Expired, (await kit.OwnAsync("alpha", deal.Id)).Status);
        // Free again: another partner may register the customer.
        await DealTestKit.EventuallyAsync(() => kit.App.Services.GetRequiredService<ClaimStore>().ReadAsync(kit.Vendor, ["n:contoso"]), rows => rows.All(r => r.Holders.Count == 0));
        Assert.Equal(DealStatus.PendingApproval, (await kit.RegisterOkAsync("bravo")).Status);
    }

    [Theory]
    [InlineData("-5000", "USD", "2026-06-30", "money.")]
    [InlineData("90000000000", "USD", "2026-06-30", "money.")]
    [InlineData("50000", "XYZ", "2026-06-30", "currency.unknown")]
    [InlineData("50000", "EUR", "2026-06-30", "deal.currency_not_accepted")]
    [InlineData("50000", "USD", "2026-02-01", "deal.close_in_past")]
    [InlineData("5000", "USD", "2026-06-30", "deal.below_minimum")]
    public async Task Absurd_negative_foreign_and_late_values_are_refused_with_the_reason_and_nothing_is_claimed(string value, string currency, string close, string codePrefix)
    {
        await using var kit = await DealTestKit.StartAsync();
        var response = await kit.RegisterAsync("alpha", DealTestKit.Registration(value: value, currency: currency, close: close));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{codePrefix}", await response.Content.ReadAsStringAsync());
        var claims = await kit.App.Services.GetRequiredService<ClaimStore>().ReadAsync(kit.Vendor, ["n:contoso", "d:contoso.com"]);
        Assert.All(claims, c => Assert.Empty(c.Holders));
    }

    [Fact]
    public async Task Malformed_oversized_duplicated_and_foreign_requests_are_refused()
    {
        await using var kit = await DealTestKit.StartAsync();
        var alpha = kit.Partners["alpha"];
        Assert.Equal(HttpStatusCode.BadRequest, (await alpha.PostAsync("/api/partner/deals", new StringContent("{not json", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await alpha.PostAsync("/api/partner/deals", new StringContent(new string(' ', 70_000), Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await kit.App.Anonymous().PostAsync("/api/partner/deals", DealTestKit.Json(DealTestKit.Registration()))).StatusCode);

        // The same registration twice is one registration.
        var first = await kit.RegisterOkAsync("alpha");
        var again = await kit.RegisterAsync("alpha", DealTestKit.Registration());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first.Id, (await again.Content.ReadFromJsonAsync<DealView>(MdfJson.Options))!.Id);

        // Another partner cannot see or touch it; a partner cannot publish rules; a channel manager cannot either.
        Assert.Equal(HttpStatusCode.NotFound, (await kit.Partners["bravo"].GetAsync($"/api/partner/deals/{first.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await kit.StageAsync("bravo", first.Id, new { stage = "lost", reason = "mine now" })).StatusCode);
        var cm = await kit.App.SignedInAsync(kit.Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await cm.PutAsync($"/api/vendors/{kit.Vendor}/deals/rules", DealTestKit.Json(new PublishRulesInput(1, kit.Rules())))).StatusCode);
        var bad = await kit.PublishAsync(kit.Rules() with { ProtectionDays = 0, DealSizes = [] }, 1);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("rules.protection_days", await bad.Content.ReadAsStringAsync());
        // A stage change on a registration not yet approved says why.
        var early = await kit.StageAsync("alpha", first.Id, new { stage = "won", amount = "1000" });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("deal.not_approved", await early.Content.ReadAsStringAsync());
    }
}

/// <summary>Routed leads in the conflict check: under "the partner that sourced the lead", a lead another partner holds refuses the registration.</summary>
public sealed class DealLeadConflictTests
{
    [Fact]
    public async Task A_customer_routed_as_a_lead_to_one_partner_goes_to_that_partner_and_another_is_refused_without_being_told_who()
    {
        await using var kit = await DealTestKit.StartAsync(rules: r => r with { Winner = ConflictWinner.LeadSource });
        var api = await Tcma.FunctionalTests.Leads.LeadRoutingSupport.ApiAsync(kit.App, kit.Vendor);
        var leadId = await Tcma.FunctionalTests.Leads.LeadRoutingSupport.CaptureAsync(api, kit.Vendor, country: "GB", email: "ana@contoso.de");
        var lead = await Tcma.FunctionalTests.Leads.LeadRoutingSupport.LeadWhenAsync(kit.App, kit.Vendor, leadId, l => l.PartnerId is not null);
        var holder = lead.PartnerId!;
        var other = holder == "alpha" ? "bravo" : "alpha";
        // The index follows the lead's projection: wait until the lead is there.
        await DealTestKit.EventuallyAsync(() => kit.App.Services.GetRequiredService<CustomerIndex>().FindAsync(kit.Vendor, ["d:contoso.de"]), e => e.Any(x => x.Id == leadId));

        var refused = await kit.RegisterAsync(other, DealTestKit.Registration(company: "Contoso GmbH", email: "eva@contoso.de"));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("deal.lead_of_another_partner", body);
        Assert.DoesNotContain(holder, body);
        Assert.Equal(DealStatus.PendingApproval, (await kit.RegisterOkAsync(holder, DealTestKit.Registration(company: "Contoso GmbH", email: "ana@contoso.de"))).Status);
    }
}
