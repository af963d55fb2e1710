using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Leads;
using Tcma.Storage.Leads;
using static Tcma.FunctionalTests.Leads.LeadRoutingSupport;

namespace Tcma.FunctionalTests.Leads;

/// <summary>
/// Routing end to end on Azurite and maildev: a lead captured through the API goes to the partner the vendor's rules pick,
/// the trail says why, the partner is emailed once, and every state change reaches the CRM queue once.
/// </summary>
public sealed class LeadRoutingTests
{
    private const string Vendor = "fabrikam";

    [Fact]
    public async Task A_new_lead_goes_to_the_partner_the_rules_pick_and_the_trail_explains_it()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(app, Vendor,
            Partner("alpha", "Alpha GmbH", $"alpha-{tag}@partner.example", tier: "Gold"),
            Partner("bravo", "Bravo AG", $"bravo-{tag}@partner.example", tier: "Platinum"),
            Partner("charlie", "Charlie SARL", $"charlie-{tag}@partner.example", tier: "Platinum", country: "FR"),
            Partner("delta", "Delta KG", $"delta-{tag}@partner.example", tier: "Platinum",
                routing: new PartnerLeadRouting([new Territory("DE")], OptedOutProducts: ["Backup"])));
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        var put = await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/lead-routing", new { tierOrder = new[] { "Platinum", "Gold" } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var leadId = await CaptureAsync(await ApiAsync(app, Vendor), Vendor, country: "DE", product: "Backup");

        var state = await WaitForAsync(app, Vendor, leadId, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance);
        Assert.Equal("bravo", state.Routing.Holder);
        var lead = await LeadWhenAsync(app, Vendor, leadId, l => l.PartnerId is not null);
        Assert.Equal("bravo", lead.PartnerId);
        Assert.IsType<LeadStatus.Assigned>(lead.Status);

        var decision = Assert.Single(await app.Services.GetRequiredService<LeadRoutingStore>().DecisionsAsync(Vendor, leadId, default));
        var trail = string.Join("\n", decision.Trail);
        Assert.Contains("Delta KG opted out of Backup", trail);
        Assert.Contains("Territory: country DE matched 2 partners: Alpha GmbH, Bravo AG", trail);
        Assert.Contains("Tier: kept the best tier present, Platinum: Bravo AG", trail);

        // The vendor's console shows the same trail, escaped like every other text.
        var console = await app.SignedInAsync(Vendor, VendorRole.Finance);
        var page = await console.GetStringAsync($"/console/leads/{leadId}");
        Assert.Contains("Why did this lead go there?", page);
        Assert.Contains("kept the best tier present, Platinum: Bravo AG", page);
        Assert.Contains("&lt;b&gt;Silva&lt;/b&gt;", page);
        Assert.DoesNotContain("<b>Silva</b>", page);
        Assert.Contains(leadId, await console.GetStringAsync("/console/leads"));

        var mail = Assert.Single(await MailsAsync(app, $"bravo-{tag}@partner.example"));
        Assert.StartsWith("New lead for you: interested in Backup, in DE", mail.Subject);
        Assert.Contains("/partner/leads/answer?t=", mail.Text);
        Assert.Empty(await app.Inbox.ToAsync($"alpha-{tag}@partner.example"));

        var crm = await CrmAsync(app);
        Assert.Equal([CrmEventTypes.Created, CrmEventTypes.Assigned], crm.Select(c => c.Change.EventType));
        Assert.All(crm, c => Assert.Equal(Vendor, c.VendorId));
        Assert.Equal(crm.Count, crm.Select(c => c.EventId).Distinct().Count());
        Assert.Equal("bravo", crm[1].Change.PartnerId);
    }

    [Fact]
    public async Task A_lead_from_a_partners_own_landing_page_goes_to_that_partner_and_round_robin_shares_the_rest_by_weight()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(app, Vendor,
            Partner("heavy", "Heavy Ltd", $"heavy-{tag}@partner.example", routing: new PartnerLeadRouting([new Territory("DE")], Weight: 2)),
            Partner("light", "Light Ltd", $"light-{tag}@partner.example"),
            Partner("owner", "Owner Ltd", $"owner-{tag}@partner.example", country: "FR"));
        var routing = Routing(app);
        var leads = app.Services.GetRequiredService<LeadStore>();

        async Task<string?> RouteAsync(LeadSource source)
        {
            var submission = new LeadSubmission
            {
                SubmissionId = Guid.NewGuid().ToString("N"), VendorId = Vendor, Source = source, ReceivedAt = DateTimeOffset.UtcNow,
                Email = $"p-{Guid.NewGuid():N}@c.example", FirstName = "A", LastName = "B", Country = "DE",
                ConsentText = "yes", SourcePage = "https://x.example/p", IpAddress = "203.0.113.1",
            };
            var valid = Assert.IsType<SubmissionCheck.Valid>(SubmissionValidation.Check(submission)).Submission;
            var (_, lead) = await leads.RecordAsync(valid, DateTimeOffset.UtcNow, Deduplication.DefaultWindow, default);
            await routing.StartAndRouteAsync(lead, default);
            return (await StateAsync(app, Vendor, lead.Id)).Routing.Holder;
        }

        // Source attribution wins over territory: the owner covers only FR, the person lives in DE.
        Assert.Equal("owner", await RouteAsync(new LeadSource.LandingPage("owner", "launch-1", "kit-1")));

        var holders = new List<string?>();
        for (var i = 0; i < 6; i++) holders.Add(await RouteAsync(new LeadSource.Api("crm")));
        Assert.Equal(4, holders.Count(h => h == "heavy"));
        Assert.Equal(2, holders.Count(h => h == "light"));
    }

    [Fact]
    public async Task The_same_capture_delivered_twice_and_routed_again_makes_one_decision_one_offer_and_one_email()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(app, Vendor,
            Partner("alpha", "Alpha GmbH", $"alpha-{tag}@partner.example"),
            Partner("bravo", "Bravo AG", $"bravo-{tag}@partner.example"));
        var api = await ApiAsync(app, Vendor);

        // A client retrying with the same key: two messages for one submission.
        var leadId = await CaptureAsync(api, Vendor, key: "retry-" + tag, email: $"same-{tag}@c.example");
        Assert.Equal(leadId, await CaptureAsync(api, Vendor, key: "retry-" + tag, email: $"same-{tag}@c.example"));
        var state = await WaitForAsync(app, Vendor, leadId, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance);

        // And routing asked again for the first hop, as a redelivered request would.
        var lead = await LeadAsync(app, Vendor, leadId);
        await Routing(app).StartAndRouteAsync(lead, default);
        await Routing(app).RouteAsync(Vendor, leadId, 0, default);

        var after = await StateAsync(app, Vendor, leadId);
        Assert.Equal(1, after.Routing.Hop);
        Assert.Equal(state.Routing.Holder, after.Routing.Holder);
        Assert.Single(await app.Services.GetRequiredService<LeadRoutingStore>().DecisionsAsync(Vendor, leadId, default));
        var holderEmail = $"{state.Routing.Holder}-{tag}@partner.example";
        await MailsAsync(app, holderEmail);
        await Task.Delay(500); // let a wrongly doubled offer arrive before counting
        Assert.Single(Distinct(await app.Inbox.ToAsync(holderEmail)));
        Assert.Equal(2, (await CrmAsync(app)).Count);

        // The round-robin moved once: the next lead goes to the other partner.
        var next = await CaptureAsync(api, Vendor);
        var nextState = await WaitForAsync(app, Vendor, next, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance);
        Assert.NotEqual(state.Routing.Holder, nextState.Routing.Holder);
    }

    [Fact]
    public async Task A_crash_between_assignment_and_the_email_loses_neither_and_doubles_neither()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        var tag = Guid.NewGuid().ToString("N")[..8];
        string leadId;
        // The first process assigns the lead but cannot reach the mail server, then dies.
        await using (var dying = await TcmaAppFactory.StartAsync(clock, new Dictionary<string, string?>
        {
            ["Storage:NamePrefix"] = prefix,
            ["Email:SmtpPort"] = LocalServices.FreePort().ToString(),
            ["Email:Timeout"] = "00:00:03",
        }, localTriggerHost: false))
        {
            await SeedAsync(dying, Vendor, Partner("alpha", "Alpha GmbH", $"alpha-{tag}@partner.example"));
            var submission = new LeadSubmission
            {
                SubmissionId = "crash-" + tag, VendorId = Vendor, Source = new LeadSource.Api("crm"), ReceivedAt = clock.GetUtcNow(),
                Email = $"p-{tag}@c.example", FirstName = "A", LastName = "B", Country = "DE",
                ConsentText = "yes", SourcePage = "https://x.example/p", IpAddress = "203.0.113.1",
            };
            var valid = Assert.IsType<SubmissionCheck.Valid>(SubmissionValidation.Check(submission)).Submission;
            var (_, lead) = await dying.Services.GetRequiredService<LeadStore>().RecordAsync(valid, clock.GetUtcNow(), Deduplication.DefaultWindow, default);
            leadId = lead.Id;
            await Routing(dying).StartAndRouteAsync(lead, default);
            Assert.Equal("alpha", (await StateAsync(dying, Vendor, leadId)).Routing.Holder);
        }
        Assert.Empty(await (await LocalServices.MailDev()).Inbox.ToAsync($"alpha-{tag}@partner.example"));

        // The next process finds the unsent email in the outbox and sends it; routing the lead again changes nothing.
        await using var app = await TcmaAppFactory.StartAsync(clock, new Dictionary<string, string?> { ["Storage:NamePrefix"] = prefix }, localTriggerHost: false);
        await Routing(app).StartAndRouteAsync(await LeadAsync(app, Vendor, leadId), default);
        clock.Advance(TimeSpan.FromMinutes(10));
        await SweepAsync(app);
        await SweepAsync(app);
        var mail = Assert.Single(await app.Inbox.WaitForAsync($"alpha-{tag}@partner.example"));
        Assert.StartsWith("New lead for you", mail.Subject);
        var state = await StateAsync(app, Vendor, leadId);
        Assert.Equal(1, state.Routing.Hop);
        Assert.Single(state.Routing.Offers);
    }

    [Fact]
    public async Task A_capture_that_died_after_starting_the_workflow_is_routed_by_its_redelivery()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(app, Vendor, Partner("alpha", "Alpha GmbH", $"alpha-{tag}@partner.example"));
        var submission = new LeadSubmission
        {
            SubmissionId = "died-" + tag, VendorId = Vendor, Source = new LeadSource.Api("crm"), ReceivedAt = DateTimeOffset.UtcNow,
            Email = $"p-{tag}@c.example", FirstName = "A", LastName = "B", Country = "DE",
            ConsentText = "yes", SourcePage = "https://x.example/p", IpAddress = "203.0.113.1",
        };
        // The first delivery recorded the lead and started its workflow, then the process died before routing.
        var valid = Assert.IsType<SubmissionCheck.Valid>(SubmissionValidation.Check(submission)).Submission;
        var (_, lead) = await app.Services.GetRequiredService<LeadStore>().RecordAsync(valid, DateTimeOffset.UtcNow, Deduplication.DefaultWindow, default);
        var start = new LeadRoutingEvents.StartData(Vendor, lead.Id, new SlaSettings(), new LeadBrief("DE", null, null));
        await app.Services.GetRequiredService<Tcma.Storage.Workflows.WorkflowEngine>().StartAsync(LeadRoutingWorkflow.TypeName, lead.Id,
            new Tcma.Domain.Workflows.WorkflowEvent("start", LeadRoutingEvents.Start, "system:capture",
                System.Text.Json.JsonSerializer.Serialize(start, Tcma.Domain.Workflows.WorkflowJson.Options)));
        Assert.Equal(RoutingPhase.Unrouted, (await StateAsync(app, Vendor, lead.Id)).Routing.Phase);

        // The queue delivers the capture message again: nothing else asks for routing, and this is enough.
        await app.Services.GetRequiredService<Tcma.Storage.Messaging.IMessageSender>().SendAsync(LeadEndpoints.CapturedQueue, submission);

        var state = await WaitForAsync(app, Vendor, lead.Id, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance);
        Assert.Equal("alpha", state.Routing.Holder);
        Assert.Single(await app.Services.GetRequiredService<LeadRoutingStore>().DecisionsAsync(Vendor, lead.Id, default));
        Assert.Single(Distinct(await MailsAsync(app, $"alpha-{tag}@partner.example")));
    }

    [Fact]
    public async Task Routing_rules_are_the_vendor_admins_to_set_and_bad_rules_are_refused_by_field()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        var defaults = await admin.GetFromJsonAsync<JsonObject>($"/api/vendors/{Vendor}/lead-routing");
        Assert.Equal(48, defaults!["slaHours"]!.GetValue<double>());
        Assert.Equal(3, defaults["maxHops"]!.GetValue<int>());

        var bad = await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/lead-routing", new { slaHours = 0, maxHops = 99, reminderHoursBeforeEnd = new[] { 100 } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Contains("slaHours", errors.Select(e => e.Key));
        Assert.Contains("maxHops", errors.Select(e => e.Key));

        var garbage = await admin.PutAsync($"/api/vendors/{Vendor}/lead-routing", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        var huge = await admin.PutAsync($"/api/vendors/{Vendor}/lead-routing",
            new StringContent($"{{\"tierOrder\":[\"{new string('x', 40_000)}\"]}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);

        var ok = await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/lead-routing", new { chain = new[] { "Tier", "Territory" }, slaHours = 24, reminderHoursBeforeEnd = new[] { 2 }, maxHops = 2 });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var stored = await admin.GetFromJsonAsync<JsonObject>($"/api/vendors/{Vendor}/lead-routing");
        Assert.Equal(24, stored!["slaHours"]!.GetValue<double>());
        Assert.Equal("Tier", stored["chain"]![0]!.GetValue<string>());

        var user = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PutAsJsonAsync($"/api/vendors/{Vendor}/lead-routing", new { slaHours = 1 })).StatusCode);
        // Another vendor's rules do not exist as far as this admin can tell.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/vendors/other-vendor/lead-routing")).StatusCode);
    }

    [Fact]
    public async Task The_vendor_sets_a_partners_territory_and_capacity_and_a_full_partner_makes_room_for_the_next()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(app, Vendor,
            Partner("alpha", "Alpha GmbH", $"alpha-{tag}@partner.example"),
            Partner("bravo", "Bravo AG", $"bravo-{tag}@partner.example"));
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        var set = await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/lead-routing/partners/alpha",
            new { territories = new[] { new { country = "de", postalPrefix = "10" } }, maxOpenUnaccepted = 1 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("DE", (await set.Content.ReadFromJsonAsync<JsonObject>())!["leadRouting"]!["territories"]![0]!["country"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/lead-routing/partners/alpha", new { weight = 0 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/lead-routing/partners/nobody", new { weight = 1 })).StatusCode);
        var manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PutAsJsonAsync($"/api/vendors/{Vendor}/lead-routing/partners/alpha", new { weight = 5 })).StatusCode);

        var api = await ApiAsync(app, Vendor);
        // Berlin: Alpha covers postal codes 10..., Bravo the whole country; the more specific cover wins.
        var first = await CaptureAsync(api, Vendor, postalCode: "10115");
        await LeadWhenAsync(app, Vendor, first, l => l.PartnerId == "alpha");

        // Alpha has not accepted the first one and takes one at a time: the next Berlin lead goes to Bravo.
        var second = await CaptureAsync(api, Vendor, postalCode: "10117");
        await LeadWhenAsync(app, Vendor, second, l => l.PartnerId == "bravo");
        var decision = Assert.Single(await app.Services.GetRequiredService<LeadRoutingStore>().DecisionsAsync(Vendor, second, default));
        Assert.Contains("Alpha GmbH is full (1 of 1 open unaccepted leads)", string.Join("\n", decision.Trail));

        // Once Alpha accepts, it has room again.
        Assert.IsType<LeadAnswer.Done>(await Routing(app).AnswerFromInboxAsync(Vendor, "alpha", first, accept: true, null, default));
        var third = await CaptureAsync(api, Vendor, postalCode: "10119");
        await LeadWhenAsync(app, Vendor, third, l => l.PartnerId == "alpha");
    }

    [Fact]
    public async Task A_malformed_routing_message_goes_to_poison_and_one_for_an_unknown_lead_is_dropped()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var messages = app.Services.GetRequiredService<Tcma.Storage.Messaging.IMessageSender>();
        await messages.SendAsync(LeadRoutingWorkflow.RouteQueue, new RouteRequest(Vendor, "lead-never-captured", 0));
        await messages.SendAsync(LeadRoutingWorkflow.RouteQueue, new { vendorId = 42, leadId = new[] { "x" } });
        await messages.SendAsync(LeadRoutingWorkflow.SyncQueue, "not a sync request");

        async Task<int> CountAsync(string queue)
        {
            var client = new Azure.Storage.Queues.QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{queue}");
            await client.CreateIfNotExistsAsync();
            return (await client.PeekMessagesAsync(32)).Value.Length;
        }
        await Tcma.FunctionalTests.Hosting.QueueTriggerTests.WaitUntilAsync(async () =>
            await CountAsync(LeadRoutingWorkflow.RouteQueue + "-poison") == 1 && await CountAsync(LeadRoutingWorkflow.SyncQueue + "-poison") == 1);
        await Tcma.FunctionalTests.Hosting.QueueTriggerTests.WaitUntilAsync(async () => await CountAsync(LeadRoutingWorkflow.RouteQueue) == 0);
        Assert.Null(await Routing(app).GetAsync(Vendor, "lead-never-captured", default));
    }
}
