using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.Domain.Launches;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Launches;
using Tcma.Functions.Leads;
using Tcma.Storage.Launches;
using Tcma.Storage.Leads;
using Tcma.Storage.Workflows;
using static Tcma.FunctionalTests.Launches.LaunchSetup;

namespace Tcma.FunctionalTests.Leads;

/// <summary>
/// Erasure of a person who was a campaign contact: through a real launch (fan-out, mailer, maildev, a click), then
/// the erasure, then what the partner still sees and what a later touch does.
/// </summary>
public sealed partial class CampaignErasureTests
{
    private static readonly DateTimeOffset Day0 = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day5 = new(2026, 12, 12, 9, 0, 0, TimeSpan.Zero);
    private const string OtherVendor = "fabrikam";

    [GeneratedRegex("""https?://[^"'\s<>]+/r/[^"'\s<>]+""")]
    private static partial Regex TrackedUrl();

    private static string PathOf(string url) => new Uri(WebUtility.HtmlDecode(url)).PathAndQuery;

    private sealed record SentAndClicked(TcmaAppFactory App, FakeTimeProvider Clock, string LaunchId, string Control, string Person, string Other, string Contacts);

    /// <summary>A launch to the person and one other contact: day 0's email sent to both, and the person clicked in it.</summary>
    private static async Task<SentAndClicked> SentAndClickedAsync()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero));
        // Every email of the schedule to everyone, so the day-5 email would reach the person if anything still knew them.
        var app = await TcmaAppFactory.StartAsync(clock);
        var (_, token, invitationId, _) = await InvitedPartnerAsync(app, manifest: m => m.Replace("\"non-openers\"", "\"all\""));
        var partner = Partner(app, token);
        var (person, other) = (Unique("erased"), Unique("kept"));
        var contacts = await UploadContactsAsync(partner, $"Email,First name,Consent\n{person},Erika,yes\n{other},Karl,yes\n");
        var confirmed = await partner.PostAsJsonAsync("/api/partner/launch", Confirm(invitationId, "2026-12-07", contacts));
        Assert.Equal(HttpStatusCode.Created, confirmed.StatusCode);
        var launch = await confirmed.Content.ReadFromJsonAsync<JsonElement>();
        var launchId = launch.GetProperty("launchId").GetString()!;
        var control = System.Web.HttpUtility.ParseQueryString(new Uri(launch.GetProperty("statusUrl").GetString()!).Query)["t"]!;

        clock.Advance(Day0 - clock.GetUtcNow());
        await app.Services.GetRequiredService<WorkflowEngine>().SweepAsync();
        var welcome = Assert.Single(await app.Inbox.WaitForAsync(person));
        Assert.Single(await app.Inbox.WaitForAsync(other));
        Assert.Equal(HttpStatusCode.Redirect, (await app.Anonymous().GetAsync(PathOf(TrackedUrl().Match(welcome.Html!).Value))).StatusCode);
        var log = app.Services.GetRequiredService<CampaignSendLog>();
        await EventuallyAsync(() => log.SummariseAsync(Vendor, launchId), s => s.Count("0-welcome", CampaignSendState.Sent) == 2);
        return new SentAndClicked(app, clock, launchId, control, person, other, contacts);
    }

    [Fact]
    public async Task Erasure_blanks_the_person_in_sends_clicks_and_contact_lists_keeps_the_counts_and_no_later_email_reaches_them()
    {
        var (app, clock, launchId, control, person, other, contacts) = await SentAndClickedAsync();
        await using var running = app;
        var log = app.Services.GetRequiredService<CampaignSendLog>();
        var suppressions = app.Services.GetRequiredService<SuppressionList>();
        // The person had unsubscribed from this partner before: that row holds their address.
        Assert.True(await suppressions.SuppressAsync(Vendor, "contoso", person, SuppressionReason.Unsubscribed, "test", clock.GetUtcNow()));
        async Task<string> EmailCountsAsync() =>
            (await Partner(app, control).GetFromJsonAsync<JsonElement>($"/api/partner/launches/{launchId}")).GetProperty("emails").GetRawText();
        var countsBefore = await EmailCountsAsync();
        Assert.Contains("\"clicked\":1", countsBefore);

        // Another vendor's campaign data with the same address: a send, a click, a contact list.
        var launches = app.Services.GetRequiredService<LaunchStore>();
        var clicks = app.Services.GetRequiredService<ClickTracking>();
        var theirSend = LaunchWorkflow.SendId("their-launch", "0-welcome", person);
        Assert.NotNull(await log.TryWriteAsync(new CampaignSendRecord(OtherVendor, "contoso", "their-launch", "0-welcome", theirSend, person, "Contoso", CampaignSendState.Sent, 1, clock.GetUtcNow()), default));
        await clicks.RecordClickAsync(new TrackedLink(OtherVendor, "contoso", "their-launch", "0-welcome", theirSend, 0, person, "Campaign", "https://fabrikam.example/"), clock.GetUtcNow());
        var theirList = await launches.SaveContactsAsync(OtherVendor, "contoso", [new Contact(person, "Erika", "", "")], default);
        var theirHits = (await ErasureTests.FindAnywhereAsync(app, person)).Where(h => h.Contains(OtherVendor) || h.Contains(theirList)).ToList();

        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        var response = await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/erasures", new { email = person.ToUpperInvariant() });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.DoesNotContain(person, body, StringComparison.OrdinalIgnoreCase);
        var view = JsonSerializer.Deserialize<ErasureView>(body, JsonSerializerOptions.Web)!;
        Assert.Equal((1, 1, 1, 1), (view.CampaignsNow.Sends, view.CampaignsNow.Clicks, view.CampaignsNow.ContactLists, view.CampaignsNow.Partners));
        Assert.NotNull(view.Campaigns.CompletedAt);

        // Nowhere in this run's tables and blobs but the other vendor's rows; theirs are as they were.
        Assert.Equal(theirHits.Order(), (await ErasureTests.FindAnywhereAsync(app, person)).Order());
        Assert.Equal(person, (await log.GetAsync(OtherVendor, "their-launch", theirSend))!.Record.Recipient);
        Assert.Equal(person, Assert.Single(await clicks.ClicksAsync(OtherVendor, "their-launch")).Recipient);
        Assert.Equal(person, Assert.Single((await launches.ContactsAsync(theirList, default))!).Email);
        // The rows stay, only the address goes: the partner's figures do not move.
        Assert.Equal(countsBefore, await EmailCountsAsync());
        Assert.Equal("", (await log.GetAsync(Vendor, launchId, LaunchWorkflow.SendId(launchId, "0-welcome", person)))!.Record.Recipient);
        // The person's place is kept, blank, so the other contact stays where the fan-out's chunks expect it.
        Assert.Equal(["", other], (await launches.ContactsAsync(contacts, default))!.Select(c => c.Email));
        Assert.True(await suppressions.IsSuppressedAsync(Vendor, "contoso", person.ToUpperInvariant()));

        // Erasing again: nothing new, the same totals.
        var again = (await (await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/erasures", new { email = person })).Content.ReadFromJsonAsync<ErasureView>(JsonSerializerOptions.Web))!;
        Assert.True(again.AlreadyErased);
        Assert.Equal((0, 0, 0, 0), (again.CampaignsNow.Sends, again.CampaignsNow.Clicks, again.CampaignsNow.ContactLists, again.CampaignsNow.Partners));
        Assert.Equal(view.Campaigns with { CompletedAt = null }, again.Campaigns with { CompletedAt = null });

        // The day-5 email goes to the other contact only; and a copy for the person still on the queue is suppressed.
        clock.Advance(Day5 - clock.GetUtcNow());
        await app.Services.GetRequiredService<WorkflowEngine>().SweepAsync();
        Assert.Equal(2, (await app.Inbox.WaitForAsync(other, 2)).Count);
        var leftOver = new CampaignEmail(Vendor, "contoso", launchId, "2-case-study", LaunchWorkflow.SendId(launchId, "2-case-study", person), person, null,
            "Contoso", "sales@contoso.example", "Contoso GmbH, Berlin", "Subject", "<p>x</p>", "x", "Campaign");
        using (var scope = app.Services.CreateScope())
            Assert.Equal(CampaignMailOutcome.Suppressed, await scope.ServiceProvider.GetRequiredService<CampaignMailer>().SendAsync(leftOver, default));
        Assert.Single(await app.Inbox.ToAsync(person));
        // Another vendor's partner may still mail the address: the suppression is this vendor's.
        Assert.False(await suppressions.IsSuppressedAsync(OtherVendor, "contoso", person));
        // Settling that left-over copy wrote its send row without the address the message carried.
        var settled = await app.Services.GetRequiredService<CampaignSendLog>().GetAsync(Vendor, launchId, leftOver.SendId);
        Assert.Equal((CampaignSendState.Suppressed, ""), (settled!.Record.State, settled.Record.Recipient));
    }

    /// <summary>
    /// An erasure that died after suppressing the person and blanking their sends, before the clicks and the contact
    /// list: its record says it is unfinished, and erasing again finishes it, counting only what it did itself.
    /// </summary>
    [Fact]
    public async Task Erasing_again_finishes_a_run_that_died_half_way()
    {
        var (app, clock, launchId, _, person, _, contacts) = await SentAndClickedAsync();
        await using var running = app;
        var erasures = app.Services.GetRequiredService<LeadErasures>();
        var store = app.Services.GetRequiredService<ErasureStore>();
        var hash = Tcma.Domain.Leads.LeadErasure.EmailHash(Vendor, person, erasures.HashKey);
        await store.BeginCampaignErasureAsync(Vendor, hash, clock.GetUtcNow(), default);
        await app.Services.GetRequiredService<SuppressionList>().SuppressErasedAsync(Vendor, "contoso", person, clock.GetUtcNow());
        var sendId = LaunchWorkflow.SendId(launchId, "0-welcome", person);
        Assert.True(await app.Services.GetRequiredService<CampaignSendLog>().RedactRecipientAsync(Vendor, launchId, sendId, person));
        var unfinished = (await store.CampaignErasureAsync(Vendor, hash, default))!;
        Assert.Null(unfinished.CompletedAt);

        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        var view = (await (await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/erasures", new { email = person })).Content.ReadFromJsonAsync<ErasureView>(JsonSerializerOptions.Web))!;

        Assert.Equal((0, 1, 1, 0), (view.CampaignsNow.Sends, view.CampaignsNow.Clicks, view.CampaignsNow.ContactLists, view.CampaignsNow.Partners));
        Assert.NotNull(view.Campaigns.CompletedAt);
        Assert.Equal(unfinished.StartedAt, view.Campaigns.StartedAt);
        Assert.Empty(await ErasureTests.FindAnywhereAsync(app, person));
        Assert.DoesNotContain(person, (await app.Services.GetRequiredService<LaunchStore>().ContactsAsync(contacts, default))!.Select(c => c.Email));
    }
}
