using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Deals;
using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;
using Tcma.Domain.Workflows;
using Tcma.Functions.Deals;
using Tcma.Functions.Identity;
using Tcma.Functions.Mdf;
using SetTimer = Tcma.Domain.Workflows.SetTimer;
using CancelTimer = Tcma.Domain.Workflows.CancelTimer;

namespace Tcma.UnitTests.Deals;

/// <summary>The registration workflow on the engine: what a step asks the engine to do, without storage.</summary>
public sealed class DealWorkflowDefinitionTests
{
    private static readonly LinkTokens Tokens = new(
        Options.Create(new TokenOptions { Keys = { ["k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }, ActiveKey = "k1" }),
        new Tcma.Storage.Identity.TokenUseStore(null!), new FakeTimeProvider(DealSamples.Now), NullLogger<LinkTokens>.Instance);

    private static readonly DealRegistrationDefinition Definition = new(new DealLinks(Tokens, Options.Create(new MdfOptions { PublicBaseUrl = "https://deals.example" })));

    private static WorkflowStep Decide(string? state, DealEvent e) => ((IWorkflowDefinition)Definition).Decide(state,
        new WorkflowEvent("e-" + Guid.NewGuid().ToString("N"), e.GetType().Name, e.By.UserId, MdfJson.Write(new DealEventData("vendor", "d-1", "alpha", e))), DealSamples.Now);

    private static WorkflowStep Submit() =>
        Decide(null, new SubmitDeal(DealSamples.Registration(), DealSamples.Rules(), DealSamples.Alpha, new ConflictVerdict.Clear([]), DealSamples.PartnerA));

    [Fact]
    public void A_submission_arms_the_step_timers_emails_the_approver_signed_links_with_the_rules_and_tells_partner_crm_and_list()
    {
        var step = Submit();
        Assert.Equal(DealStatus.PendingApproval, MdfJson.Read<DealState>(step.StateJson).Status);
        Assert.Equal(["Reminder-1", "Escalation-1", "Decision-1"], step.Commands.OfType<SetTimer>().Select(t => t.Name));
        var email = Assert.Single(step.Commands.OfType<SendEmail>()).Email;
        Assert.Equal(DealSamples.Manager.Email, email.To);
        Assert.Equal(3, email.Text.Split('\n').Count(l => l.Contains("https://deals.example/deals/act/")));
        Assert.Contains("Rules of engagement (version 1)", email.Text);
        Assert.Contains("first registration counts", email.Text);

        var messages = step.Commands.OfType<SendMessage>().ToList();
        var commands = messages.Where(m => m.Queue == DealRegistrationDefinition.Queue).Select(m => MdfJson.Read<DealCommandMessage>(m.Json).Kind).ToList();
        Assert.Equal([DealCommandMessage.PartnerEmail, DealCommandMessage.Project], commands);
        var crm = JsonSerializer.Deserialize<CrmNotification>(Assert.Single(messages, m => m.Queue == CrmNotification.Queue).Json)!;
        Assert.Equal(DealCrmEvents.Submitted, crm.Change.EventType);
        Assert.Equal("d-1", crm.Change.LeadId);
    }

    [Fact]
    public void A_timer_name_reads_back_as_its_timer_and_step_and_a_stale_timer_changes_nothing()
    {
        Assert.Equal((DealTimer.Protection14, 0), DealRegistrationDefinition.ParseTimer(WorkflowEvent.TimerPrefix + DealRegistrationDefinition.TimerName(DealTimer.Protection14, 0)));
        Assert.Null(DealRegistrationDefinition.ParseTimer(WorkflowEvent.TimerPrefix + "Nap-1"));
        Assert.Null(DealRegistrationDefinition.ParseTimer("submit"));

        var submitted = Submit().StateJson;
        var stale = ((IWorkflowDefinition)Definition).Decide(submitted, new WorkflowEvent("t", WorkflowEvent.TimerPrefix + "ProtectionEnd-0"), DealSamples.Now);
        Assert.Empty(stale.Commands);
        Assert.Equal(MdfJson.Read<DealState>(submitted).History.Count, MdfJson.Read<DealState>(stale.StateJson).History.Count);
    }

    [Fact]
    public void Closing_an_approved_registration_releases_its_claims_closes_it_in_the_index_and_records_the_won_amount()
    {
        var approved = Decide(Submit().StateJson, new ApproveDeal(1, new Actor(DealSamples.Manager.UserId)));
        Assert.Contains(approved.Commands.OfType<SendMessage>(), m => m.Json.Contains("\"attribution\"") && m.Json.Contains("Pipeline"));
        var won = Decide(approved.StateJson, new MarkDealWon(DealSamples.Usd(48_000m), DealSamples.PartnerA));
        var kinds = won.Commands.OfType<SendMessage>().Where(m => m.Queue == DealRegistrationDefinition.Queue).Select(m => MdfJson.Read<DealCommandMessage>(m.Json)).ToList();
        Assert.Contains(kinds, k => k.Kind == DealCommandMessage.Release);
        Assert.Contains(kinds, k => k.Kind == DealCommandMessage.CloseIndex && k.Won);
        Assert.Contains(kinds, k => k.Kind == DealCommandMessage.Attribution && k.Stage == AttributionStage.Won);
        Assert.Equal(["Protection14-0", "Protection3-0", "ProtectionEnd-0"], won.Commands.OfType<CancelTimer>().Select(t => t.Name));
    }
}
