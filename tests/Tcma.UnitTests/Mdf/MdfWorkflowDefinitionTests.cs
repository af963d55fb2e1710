using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Mdf;
using Tcma.Domain.Workflows;
using Tcma.Functions.Identity;
using Tcma.Functions.Mdf;
using Tcma.Storage.Mdf;
using static Tcma.UnitTests.Mdf.Samples;
using SetTimer = Tcma.Domain.Workflows.SetTimer;
using CancelTimer = Tcma.Domain.Workflows.CancelTimer;

namespace Tcma.UnitTests.Mdf;

/// <summary>How the MDF workflows sit on the engine: domain commands become timers, approval emails with signed links and outbox messages.</summary>
public sealed class MdfWorkflowDefinitionTests
{
    private const string Fund = "acme~q1-2026~partner-7";
    private static readonly Actor Partner = new("partner:partner-7", "partner-7");

    private static readonly LinkTokens Tokens = new(
        Options.Create(new TokenOptions { Keys = { ["k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }, ActiveKey = "k1" }),
        new Tcma.Storage.Identity.TokenUseStore(null!), new FakeTimeProvider(Now), NullLogger<LinkTokens>.Instance);

    private static readonly FundRequestDefinition Requests = new(new MdfCommandTranslator(new MdfLinks(Tokens, Options.Create(new MdfOptions { PublicBaseUrl = "https://mdf.example" }))));

    private static WorkflowEvent Event(FundRequestEvent e, Refusal? refused = null) =>
        new("e-" + Guid.NewGuid().ToString("N"), e.GetType().Name, e.By.UserId, MdfJson.Write(new RequestEventData("acme", "req-1", "partner-7", Fund, e, refused)));

    private static Proposal Proposal(decimal requested) =>
        new("digital", "Regional webinar series", Today.AddDays(20), Today.AddDays(22), Usd(requested * 2), Usd(requested), 40, Usd(100_000m), []);

    private static WorkflowStep Submit(decimal requested = 6_000m, Refusal? refused = null) =>
        ((IWorkflowDefinition)Requests).Decide(null, Event(new SubmitRequest(Proposal(requested), Q1, FundWith(50_000m), Partner), refused), Now);

    [Fact]
    public void A_submission_arms_reminder_escalation_and_activity_timers_and_emails_the_approver_signed_links_for_each_button()
    {
        var step = Submit();
        var state = MdfJson.Read<FundRequestState>(step.StateJson);
        Assert.Equal(FundRequestStatus.PendingApproval, state.Status);
        Assert.Equal(["Reminder-1", "Escalation-1", "ActivityStart-0"], step.Commands.OfType<SetTimer>().Select(t => t.Name));
        var email = Assert.Single(step.Commands.OfType<SendEmail>()).Email;
        Assert.Equal(ChannelManager.Email, email.To);
        var links = email.Text.Split('\n').Where(l => l.Contains("https://mdf.example/mdf/act/")).ToList();
        Assert.Equal(4, links.Count);
        foreach (var line in links)
        {
            var token = line[(line.IndexOf("/mdf/act/", StringComparison.Ordinal) + "/mdf/act/".Length)..].Trim();
            var verified = Tokens.Verify(token, MdfLinkPurposes.Action);
            Assert.True(verified.IsValid);
            var link = ActionLink.Parse(verified.Token!.Subject)!;
            Assert.Equal((MdfSubjectKind.Request, "req-1", 1, ChannelManager.UserId), (link.Kind, link.SubjectId, link.Step, link.UserId));
            Assert.Equal("acme", verified.Token.VendorId);
        }
        // The reservation is booked by the wiring before the commit, so the outbox carries only the partner's email.
        var message = Assert.Single(step.Commands.OfType<SendMessage>());
        Assert.Equal(MdfCommandMessage.PartnerEmail, MdfJson.Read<MdfCommandMessage>(message.Json).Kind);
    }

    [Fact]
    public void A_reservation_the_ledger_refused_is_recorded_as_not_funded_and_no_approver_is_asked()
    {
        var step = Submit(refused: new Refusal("fund.insufficient", "Requested USD 6,000.00 but only USD 10.00 is available."));
        Assert.Equal(FundRequestStatus.NotFunded, MdfJson.Read<FundRequestState>(step.StateJson).Status);
        Assert.Empty(step.Commands.OfType<SendEmail>());
        Assert.Empty(step.Commands.OfType<SetTimer>());
        var partner = MdfJson.Read<MdfCommandMessage>(Assert.Single(step.Commands.OfType<SendMessage>()).Json);
        Assert.Contains("only USD 10.00", partner.Text);
    }

    [Fact]
    public void A_lower_approval_leaves_its_release_on_the_outbox_and_a_refused_or_stale_event_changes_nothing()
    {
        var submitted = Submit();
        var lower = ((IWorkflowDefinition)Requests).Decide(submitted.StateJson, Event(new ApproveRequest(1, Usd(4_000m), new Actor(ChannelManager.UserId))), Now);
        var ledger = lower.Commands.OfType<SendMessage>().Select(m => MdfJson.Read<MdfCommandMessage>(m.Json)).Single(m => m.Kind == MdfCommandMessage.Ledger);
        Assert.Equal(new ReleaseReservation("req-1", Usd(4_000m), "approved USD 4,000.00 instead of USD 6,000.00", ChannelManager.UserId, Now), ledger.Command);
        Assert.Equal(Fund, ledger.FundId);
        Assert.Equal(["Reminder-1", "Escalation-1", "ActivityStart-0"], lower.Commands.OfType<CancelTimer>().Select(t => t.Name));

        var wrong = ((IWorkflowDefinition)Requests).Decide(submitted.StateJson, Event(new ApproveRequest(1, null, new Actor(Director.UserId))), Now);
        Assert.Empty(wrong.Commands);
        Assert.Equal(submitted.StateJson, wrong.StateJson);

        var staleReminder = ((IWorkflowDefinition)Requests).Decide(lower.StateJson, new WorkflowEvent("t", WorkflowEvent.TimerPrefix + "Reminder-1"), Now.AddDays(2));
        Assert.Empty(staleReminder.Commands);
        var reminder = ((IWorkflowDefinition)Requests).Decide(submitted.StateJson, new WorkflowEvent("t", WorkflowEvent.TimerPrefix + "Reminder-1"), Now.AddDays(2));
        Assert.StartsWith("Reminder:", Assert.Single(reminder.Commands.OfType<SendEmail>()).Email.Subject);
    }

    [Theory]
    [InlineData("r|req-1|3|Approve|dev:cm@acme.example", true)]
    [InlineData("c|claim-9|1|Reject|user|with|bars", true)]
    [InlineData("x|req-1|3|Approve|u", false)]
    [InlineData("r|req/1|3|Approve|u", false)]
    [InlineData("r|req-1|three|Approve|u", false)]
    [InlineData("r|req-1|3|Launch|u", false)]
    [InlineData("r|req-1|3|Approve|", false)]
    [InlineData("partner-7", false)]
    public void An_action_link_subject_parses_only_when_it_names_kind_subject_step_button_and_approver(string subject, bool valid)
    {
        var link = ActionLink.Parse(subject);
        Assert.Equal(valid, link is not null);
        if (link is not null) Assert.Equal(subject, link.Subject);
    }
}
