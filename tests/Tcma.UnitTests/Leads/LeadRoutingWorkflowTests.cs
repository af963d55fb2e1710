using System.Text.Json;
using Tcma.Domain.Leads;
using Tcma.Domain.Workflows;
using Tcma.Functions.Leads;

namespace Tcma.UnitTests.Leads;

/// <summary>
/// The SLA mapped onto the workflow engine, without I/O: which emails, timers, queue messages and CRM notifications each
/// event decides, and that stale, foreign and out-of-order events decide nothing.
/// </summary>
public sealed class LeadRoutingWorkflowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private const string LeadId = "lead-0123456789abcdef01234567";
    private readonly LeadRoutingWorkflow workflow = new();

    private static WorkflowEvent E<T>(string id, string name, T data) => new(id, name, "test", JsonSerializer.Serialize(data, WorkflowJson.Options));

    private static WorkflowEvent OfferTo(string partner, int hop) => E($"offer:{hop}", LeadRoutingEvents.Offer, new LeadRoutingEvents.OfferData(hop, partner,
        new PartnerCard($"{partner} <sales>", $"{partner}@p.example"), $"https://t.example/a?t={partner}{hop}", $"https://t.example/r?t={partner}{hop}", "https://t.example/i"));

    private LeadWorkflowState Started() => workflow.Decide(new(), E("start", LeadRoutingEvents.Start,
        new LeadRoutingEvents.StartData("acme", LeadId, new SlaSettings(), new LeadBrief("DE", "Backup", "51-200"))), T0).State;

    private static IEnumerable<T> Messages<T>(IEnumerable<WorkflowCommand> commands, string queue) =>
        commands.OfType<SendMessage>().Where(m => m.Queue == queue).Select(m => JsonSerializer.Deserialize<T>(m.Json, JsonSerializerOptions.Web)!);

    [Fact]
    public void Start_announces_the_lead_and_a_second_start_does_nothing()
    {
        var first = workflow.Decide(new(), E("start", LeadRoutingEvents.Start,
            new LeadRoutingEvents.StartData("acme", LeadId, new SlaSettings(), new LeadBrief("DE", null, null))), T0);
        Assert.Equal(CrmEventTypes.Created, Assert.Single(Messages<CrmNotification>(first.Commands, CrmNotification.Queue)).Change.EventType);
        // The capture function routes (and its redelivery routes again after a crash): no routing message of its own.
        Assert.Empty(Messages<RouteRequest>(first.Commands, LeadRoutingWorkflow.RouteQueue));

        var again = workflow.Decide(first.State, E("start-2", LeadRoutingEvents.Start,
            new LeadRoutingEvents.StartData("other", LeadId, new SlaSettings(), new LeadBrief("FR", null, null))), T0);
        Assert.Empty(again.Commands);
        Assert.Equal("acme", again.State.VendorId);
    }

    [Fact]
    public void An_offer_emails_the_partner_arms_reminders_and_expiry_and_numbers_the_crm_events()
    {
        var step = workflow.Decide(Started(), OfferTo("alpha", 1), T0);

        var mail = Assert.Single(step.Commands.OfType<SendEmail>()).Email;
        Assert.Equal("alpha@p.example", mail.To);
        Assert.Equal("New lead for you: interested in Backup, in DE, company size 51-200", mail.Subject);
        Assert.Contains("https://t.example/a?t=alpha1", mail.Text);
        Assert.Contains("alpha &lt;sales&gt;", mail.Html);
        var timers = step.Commands.OfType<SetTimer>().ToList();
        Assert.Equal(["h1-r0", "h1-r1", "h1-sla"], timers.Select(t => t.Name));
        Assert.Equal([T0.AddHours(24), T0.AddHours(44), T0.AddHours(48)], timers.Select(t => t.DueAt));
        Assert.All(timers, t => WorkflowNames.CheckTimerName(t.Name));
        var crm = Assert.Single(Messages<CrmNotification>(step.Commands, CrmNotification.Queue));
        Assert.Equal((CrmEventTypes.Assigned, "alpha", $"{LeadId}-0002"), (crm.Change.EventType, crm.Change.PartnerId, crm.EventId));
        Assert.Single(Messages<LeadSyncRequest>(step.Commands, LeadRoutingWorkflow.SyncQueue));
        Assert.Equal((new LeadStatus.Assigned(), "alpha"), (step.State.Status, step.State.PartnerId));

        // The same hop offered again (a slow duplicate of the routing message) changes nothing.
        var duplicate = workflow.Decide(step.State, OfferTo("bravo", 1), T0);
        Assert.Empty(duplicate.Commands);
        Assert.Equal("alpha", duplicate.State.Routing.Holder);
    }

    [Fact]
    public void A_lapse_withdraws_the_offer_and_asks_for_the_next_partner_and_an_old_hops_timer_does_nothing()
    {
        var offered = workflow.Decide(Started(), OfferTo("alpha", 1), T0).State;
        var lapsed = workflow.Decide(offered, WorkflowEvent.TimerFired("h1-sla", 3), T0.AddHours(48));

        Assert.StartsWith("A lead was taken back", Assert.Single(lapsed.Commands.OfType<SendEmail>()).Email.Subject);
        Assert.Equal([CrmEventTypes.SlaExpired], Messages<CrmNotification>(lapsed.Commands, CrmNotification.Queue).Select(c => c.Change.EventType));
        Assert.Equal(new RouteRequest("acme", LeadId, 1), Assert.Single(Messages<RouteRequest>(lapsed.Commands, LeadRoutingWorkflow.RouteQueue)));
        Assert.Equal(["h1-r0", "h1-r1"], lapsed.Commands.OfType<CancelTimer>().Select(c => c.Name));
        Assert.Equal((new LeadStatus.Recalled(), (string?)null), (lapsed.State.Status, lapsed.State.PartnerId));

        var next = workflow.Decide(lapsed.State, OfferTo("bravo", 2), T0.AddHours(48));
        Assert.Equal("bravo", next.State.Routing.Holder);
        Assert.Empty(workflow.Decide(next.State, WorkflowEvent.TimerFired("h1-r1", 2), T0.AddHours(60)).Commands);
        Assert.Empty(workflow.Decide(next.State, WorkflowEvent.TimerFired("h1-sla", 3), T0.AddHours(60)).Commands);
    }

    [Fact]
    public void A_rejection_keeps_its_reason_on_the_lead_and_only_the_holder_moves_an_accepted_lead_to_won()
    {
        var offered = workflow.Decide(Started(), OfferTo("alpha", 1), T0).State;
        var rejected = workflow.Decide(offered, E("r", LeadRoutingEvents.Reject, new LeadRoutingEvents.AnswerData("alpha", "alpha", "too far away")), T0.AddHours(1));
        Assert.Equal(new LeadStatus.Rejected("too far away"), rejected.State.Status);
        Assert.Single(Messages<RouteRequest>(rejected.Commands, LeadRoutingWorkflow.RouteQueue));

        var second = workflow.Decide(rejected.State, OfferTo("bravo", 2), T0.AddHours(1)).State;
        Assert.Empty(workflow.Decide(second, E("a1", LeadRoutingEvents.Accept, new LeadRoutingEvents.AnswerData("alpha", "alpha")), T0.AddHours(2)).Commands);
        var accepted = workflow.Decide(second, E("a2", LeadRoutingEvents.Accept, new LeadRoutingEvents.AnswerData("bravo", "bravo")), T0.AddHours(2)).State;
        Assert.Equal(new LeadStatus.Accepted(), accepted.Status);

        Assert.Empty(workflow.Decide(accepted, E("w1", LeadRoutingEvents.Progress, new LeadRoutingEvents.ProgressData("alpha", new LeadStatus.Won(1, "EUR"))), T0).Commands);
        var won = workflow.Decide(accepted, E("w2", LeadRoutingEvents.Progress, new LeadRoutingEvents.ProgressData("bravo", new LeadStatus.Won(9.5m, "EUR"))), T0.AddHours(3));
        var crm = Assert.Single(Messages<CrmNotification>(won.Commands, CrmNotification.Queue));
        Assert.Equal((CrmEventTypes.Won, "9.5 EUR"), (crm.Change.EventType, crm.Change.Reason));

        // Won is final: neither Lost nor a recall changes it.
        Assert.Empty(workflow.Decide(won.State, E("l", LeadRoutingEvents.Progress, new LeadRoutingEvents.ProgressData("bravo", new LeadStatus.Lost("no"))), T0).Commands);
        Assert.Empty(workflow.Decide(won.State, E("rc", LeadRoutingEvents.Recall, new LeadRoutingEvents.RecallData("vendor", "why")), T0).Commands);
        Assert.Equal(new LeadStatus.Won(9.5m, "EUR"), won.State.Status);
    }

    [Fact]
    public void Events_before_the_start_and_malformed_events_decide_nothing()
    {
        Assert.Empty(workflow.Decide(new(), OfferTo("alpha", 1), T0).Commands);
        Assert.Empty(workflow.Decide(Started(), new WorkflowEvent("x", LeadRoutingEvents.Offer, "test", "{not json"), T0).Commands);
        Assert.Empty(workflow.Decide(Started(), new WorkflowEvent("y", "Timer:nonsense", "test"), T0).Commands);
    }
}
