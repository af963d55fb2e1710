using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Deals.DealSamples;

namespace Tcma.UnitTests.Deals;

public sealed class DealWorkflowTests
{
    [Fact]
    public void A_clear_submission_goes_to_the_first_level_with_reminder_escalation_and_decision_timers()
    {
        var s = new DealScenario();
        var t = s.Submit();
        Assert.Equal(DealStatus.PendingApproval, s.State.Status);
        Assert.Equal(1, s.State.Rules!.Version);
        var email = Assert.Single(t.Commands.OfType<EmailDealApprovers>());
        Assert.Equal([Manager], email.To);
        Assert.Equal([LinkPurpose.Approve, LinkPurpose.Reject, LinkPurpose.AskForInformation], email.Links);
        Assert.Equal([(DealTimer.Reminder, Now.AddDays(2)), (DealTimer.Escalation, Now.AddDays(4)), (DealTimer.Decision, Now.AddDays(5))],
            t.Commands.OfType<SetDealTimer>().Select(x => (x.Timer, x.Due)));
        Assert.Contains(t.Commands, c => c is NotifyDealCrm { EventType: DealCrmEvents.Submitted });
    }

    [Fact]
    public void Approval_protects_for_the_rules_days_with_reminders_14_and_3_days_before_and_the_benefits_written_on_it()
    {
        var s = new DealScenario();
        s.Submit();
        var t = s.Approve(Manager);
        Assert.Equal(DealStatus.Approved, s.State.Status);
        var until = new DateTimeOffset(2026, 5, 31, 0, 0, 0, TimeSpan.Zero); // 2 March + 90 days
        Assert.Equal(until, s.State.ProtectedUntil);
        Assert.Equal([(DealTimer.Protection14, until.AddDays(-14)), (DealTimer.Protection3, until.AddDays(-3)), (DealTimer.ProtectionEnd, until)],
            t.Commands.OfType<SetDealTimer>().Select(x => (x.Timer, x.Due)));
        var partner = t.Commands.OfType<EmailDealPartner>().Single();
        Assert.Contains("protected until 30 May 2026", partner.Message);
        Assert.Contains("an extra 10% discount", partner.Message);
        Assert.Contains(t.Commands, c => c is RecordAttribution { Stage: AttributionStage.Pipeline });
    }

    [Fact]
    public void A_big_deal_needs_the_second_level_and_a_deal_in_another_currency_goes_through_every_level()
    {
        var s = new DealScenario();
        s.Submit(Registration(value: 300_000m));
        s.Approve(Manager);
        Assert.Equal((DealStatus.PendingApproval, 2), (s.State.Status, s.State.Approval!.Level));
        s.Approve(Director);
        Assert.Equal(DealStatus.Approved, s.State.Status);

        var eur = RegistrationCheck.Validate(Input(value: "20000", currency: "EUR"), Rules(), "Gold", Now).Value!;
        var e = new DealScenario();
        e.Submit(eur);
        e.Approve(Manager);
        Assert.Equal(2, e.State.Approval!.Level);
    }

    [Fact]
    public void Approved_twice_from_two_emails_the_second_is_told_the_step_was_decided()
    {
        var s = new DealScenario();
        s.Submit();
        var step = s.State.Step;
        s.Timer(DealTimer.Escalation);
        Assert.True(s.State.Approval!.Escalated);
        Assert.False(s.Approve(Manager, step).IsRefused);
        var again = s.Approve(ManagerBackup, step);
        var refusal = Assert.Single(again.Refusals);
        Assert.Equal("approval.step_already_decided", refusal.Code);
        Assert.Contains("cam-1", refusal.Message);
        // The same approver's second click (from the reminder email) is a no-op, not a second approval.
        Assert.True(s.Approve(Manager, step).IsNoOp);
        Assert.Single(s.State.History, h => h.What.StartsWith("approved", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_named_approver_and_after_escalation_the_backup_may_decide()
    {
        var s = new DealScenario();
        s.Submit();
        Assert.Equal("approval.backup_not_escalated", s.Approve(ManagerBackup).Refusals.Single().Code);
        Assert.Equal("approval.wrong_approver", s.Approve(new Approver("x", "X", "x@x")).Refusals.Single().Code);
        Assert.Equal("deal.not_your_registration", s.Apply(new WithdrawDeal("no", PartnerB)).Refusals.Single().Code);
    }

    [Theory]
    [InlineData(true, DealStatus.Approved)]
    [InlineData(false, DealStatus.Expired)]
    public void Undecided_at_the_promised_time_it_is_approved_or_expires_as_the_rules_say(bool approve, DealStatus status)
    {
        var s = new DealScenario();
        s.Submit(rules: Rules() with { ApproveWhenUndecided = approve });
        s.Now = Now.AddDays(2);
        Assert.Equal(ApprovalEmailKind.Reminder, s.Timer(DealTimer.Reminder).Commands.OfType<EmailDealApprovers>().Single().Kind);
        s.Now = Now.AddDays(5);
        var t = s.Timer(DealTimer.Decision);
        Assert.Equal(status, s.State.Status);
        Assert.Equal(!approve, t.Commands.Any(c => c is ReleaseClaims));
        Assert.Equal("system:timer", s.State.History[^1].By.UserId);
    }

    [Fact]
    public void Asking_for_information_stops_the_clock_and_the_answer_starts_a_new_step()
    {
        var s = new DealScenario();
        s.Submit();
        var first = s.State.Step;
        s.Apply(new AskDealInformation(first, "Who is the decision maker?", new Actor(Manager.UserId)));
        Assert.Equal(DealStatus.InformationRequested, s.State.Status);
        Assert.True(s.Timer(DealTimer.Decision, first).IsNoOp);
        Assert.Equal("deal.waiting_for_partner", s.Approve(Manager).Refusals.Single().Code);
        var t = s.Apply(new ProvideDealInformation("The CIO, Dana.", s.Partner));
        Assert.Equal(DealStatus.PendingApproval, s.State.Status);
        Assert.True(s.State.Step > first);
        Assert.Single(t.Commands.OfType<EmailDealApprovers>());
    }

    [Fact]
    public void The_partner_moves_the_stage_and_marks_it_won_with_an_amount_in_its_currency()
    {
        var s = new DealScenario();
        s.Approved();
        s.Apply(new ChangeDealStage(DealStage.Qualified, s.Partner));
        s.Apply(new ChangeDealStage(DealStage.Proposal, s.Partner));
        Assert.Equal("deal.won_currency", s.Apply(new MarkDealWon(Eur(40_000m), s.Partner)).Refusals.Single().Code);
        Assert.Equal("deal.won_absurd", s.Apply(new MarkDealWon(Usd(60_000_000m), s.Partner)).Refusals.Single().Code);
        var t = s.Apply(new MarkDealWon(Usd(42_500m), s.Partner));
        Assert.Equal((DealStatus.Won, DealStage.Won, Usd(42_500m)), (s.State.Status, s.State.Stage, s.State.WonAmount));
        Assert.Contains(t.Commands, c => c is CloseInIndex { Won: true });
        Assert.Contains(t.Commands, c => c is RecordAttribution { Stage: AttributionStage.Won });
        Assert.Contains(t.Commands, c => c is ReleaseClaims);
        Assert.Equal([DealTimer.Protection14, DealTimer.Protection3, DealTimer.ProtectionEnd], t.Commands.OfType<CancelDealTimer>().Select(c => c.Timer));
        Assert.Equal("deal.not_approved", s.Apply(new MarkDealLost("price", s.Partner)).Refusals.Single().Code);
    }

    [Fact]
    public void Lost_needs_a_reason_and_drops_the_pipeline()
    {
        var s = new DealScenario();
        s.Approved();
        Assert.Equal("deal.text_missing", s.Apply(new MarkDealLost(" ", s.Partner)).Refusals.Single().Code);
        var t = s.Apply(new MarkDealLost("went with a competitor", s.Partner));
        Assert.Equal(DealStatus.Lost, s.State.Status);
        Assert.Contains(t.Commands, c => c is RecordAttribution { Stage: AttributionStage.Dropped });
    }

    [Fact]
    public void One_extension_moves_the_end_and_its_reminders()
    {
        var s = new DealScenario();
        s.Approved();
        s.Now = Now.AddDays(80);
        var asked = s.Apply(new AskProtectionExtension("Procurement needs another month", s.Partner));
        var email = asked.Commands.OfType<EmailDealApprovers>().Single();
        Assert.Equal([LinkPurpose.ApproveExtension, LinkPurpose.RejectExtension], email.Links);
        Assert.True(s.Apply(new AskProtectionExtension("again", s.Partner)).IsNoOp);
        var t = s.Apply(new DecideProtectionExtension(s.State.Extension!.Step, true, new Actor(Manager.UserId)));
        var until = new DateTimeOffset(2026, 6, 30, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(until, s.State.ProtectedUntil);
        Assert.Equal([(DealTimer.Protection14, until.AddDays(-14)), (DealTimer.Protection3, until.AddDays(-3)), (DealTimer.ProtectionEnd, until)],
            t.Commands.OfType<SetDealTimer>().Select(x => (x.Timer, x.Due)));
        Assert.Equal("deal.extension_used", s.Apply(new AskProtectionExtension("once more", s.Partner)).Refusals.Single().Code);
    }

    [Fact]
    public void A_protection_that_ends_while_its_extension_waits_cannot_be_extended_afterwards()
    {
        var s = new DealScenario();
        s.Approved();
        s.Now = Now.AddDays(88);
        s.Apply(new AskProtectionExtension("Board meets next week", s.Partner));
        s.Now = s.State.ProtectedUntil!.Value;
        s.Timer(DealTimer.ProtectionEnd);
        Assert.Equal(DealStatus.Expired, s.State.Status);
        var late = s.Apply(new DecideProtectionExtension(s.State.Extension!.Step, true, new Actor(Manager.UserId)));
        Assert.Equal("deal.protection_ended", late.Refusals.Single().Code);
    }

    [Fact]
    public void The_end_timer_of_an_extended_protection_does_nothing_before_the_new_end()
    {
        var s = new DealScenario();
        s.Approved();
        s.Apply(new AskProtectionExtension("Budget cycle", s.Partner));
        s.Apply(new DecideProtectionExtension(s.State.Extension!.Step, true, new Actor(Manager.UserId)));
        s.Now = new DateTimeOffset(2026, 5, 31, 0, 0, 0, TimeSpan.Zero);
        Assert.True(s.Timer(DealTimer.ProtectionEnd).IsNoOp);
        Assert.Equal(DealStatus.Approved, s.State.Status);
    }

    [Fact]
    public void A_queued_registration_waits_then_goes_ahead_or_is_refused_when_looked_at_again()
    {
        var s = new DealScenario("d-2");
        var t = s.Submit(verdict: new ConflictVerdict.Queue("d-1", "waits"));
        Assert.Equal((DealStatus.Queued, "d-1"), (s.State.Status, s.State.BlockedBy));
        Assert.Equal("d-1", t.Commands.OfType<WaitBehind>().Single().BlockerId);
        Assert.Empty(t.Commands.OfType<EmailDealApprovers>());
        s.Apply(new RecheckDeal(new ConflictVerdict.Clear([]), Actor.System("deals")));
        Assert.Equal(DealStatus.PendingApproval, s.State.Status);

        var r = new DealScenario("d-3");
        r.Submit(verdict: new ConflictVerdict.Queue("d-1", "waits"));
        var refused = r.Apply(new RecheckDeal(new ConflictVerdict.Refuse(new("deal.protected", "until 30 May")), Actor.System("deals")));
        Assert.Equal((DealStatus.Refused, "until 30 May"), (r.State.Status, r.State.Reason));
        Assert.Contains(refused.Commands, c => c is CloseInIndex { Won: false });
    }

    [Fact]
    public void Waiters_are_woken_when_the_registration_they_wait_behind_is_decided_even_if_they_arrive_late()
    {
        var s = new DealScenario();
        s.Submit();
        Assert.Empty(s.Apply(new WaiterQueued("d-2", Actor.System("deals"))).Commands);
        Assert.True(s.Apply(new WaiterQueued("d-2", Actor.System("deals"))).IsNoOp);
        var approved = s.Approve(Manager);
        Assert.Equal(["d-2"], approved.Commands.OfType<WakeWaiters>().Single().Waiters);
        var late = s.Apply(new WaiterQueued("d-3", Actor.System("deals")));
        Assert.Equal(["d-3"], late.Commands.OfType<WakeWaiters>().Single().Waiters);
    }

    [Fact]
    public void A_pending_registration_gives_way_when_superseded_but_a_protection_stands()
    {
        var s = new DealScenario();
        s.Submit();
        s.Apply(new SupersedeDeal("the lead's partner gets it", Actor.System("deals")));
        Assert.Equal(DealStatus.Refused, s.State.Status);
        var p = new DealScenario();
        p.Approved();
        Assert.True(p.Apply(new SupersedeDeal("x", Actor.System("deals"))).IsNoOp);
    }

    [Fact]
    public void A_pending_registration_keeps_the_rules_it_was_submitted_under()
    {
        var s = new DealScenario();
        s.Submit(rules: Rules(version: 1));
        // Version 2 (60 days) is published meanwhile; the service keeps handing the stored state back, so approval uses version 1.
        s.Approve(Manager);
        Assert.Equal(new DateTimeOffset(2026, 5, 31, 0, 0, 0, TimeSpan.Zero), s.State.ProtectedUntil);
        var v2 = new DealScenario("d-9");
        v2.Submit(rules: Rules(version: 2) with { ProtectionDays = 60 });
        v2.Approve(Manager);
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero), v2.State.ProtectedUntil);
        Assert.Contains("rules version 2", v2.State.History[0].What);
    }
}
