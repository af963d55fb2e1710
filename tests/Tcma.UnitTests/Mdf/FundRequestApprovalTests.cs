using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;
using static Tcma.UnitTests.Mdf.RequestScenario;

namespace Tcma.UnitTests.Mdf;

public sealed class FundRequestApprovalTests
{
    private static IReadOnlyList<int> LevelsWalked(decimal requested)
    {
        var s = new RequestScenario();
        s.Submit(requested);
        var levels = new List<int>();
        while (s.State.Status == FundRequestStatus.PendingApproval)
        {
            levels.Add(s.State.Approval!.Level);
            s.Approve(s.State.Approval.Current.Approver);
        }
        Assert.Equal(FundRequestStatus.Approved, s.State.Status);
        return levels;
    }

    [Theory]
    [InlineData(5_000.00, new[] { 1 })]
    [InlineData(5_000.01, new[] { 1, 2 })]
    [InlineData(25_000.00, new[] { 1, 2 })]
    [InlineData(25_000.01, new[] { 1, 2, 3 })]
    public void Thresholds_apply_above_the_amount_to_the_cent(decimal requested, int[] levels) =>
        Assert.Equal(levels, LevelsWalked(requested));

    [Fact]
    public void Final_approval_sets_the_claim_deadline_and_stops_the_timers()
    {
        var s = new RequestScenario();
        s.Submit(4_000m);
        var t = s.Approve(ChannelManager);
        Assert.Equal(FundRequestStatus.Approved, s.State.Status);
        Assert.Equal(Today.AddDays(22 + 60), s.State.ClaimDeadline);
        Assert.Equal([TimerKind.Reminder, TimerKind.Escalation, TimerKind.ActivityStart], t.Commands.OfType<CancelTimer>().Select(c => c.Kind));
        Assert.Empty(t.Commands.OfType<EmailApprovers>());
        Assert.Contains("approved for USD 4,000.00", t.Commands.OfType<EmailPartner>().Single().Message);
        Assert.Equal(Usd(4_000m), s.Fund.Reserved);
    }

    [Fact]
    public void A_partial_approval_releases_the_difference_and_needs_only_the_levels_of_the_lower_amount()
    {
        var s = new RequestScenario();
        s.Submit(30_000m);
        s.Approve(ChannelManager, 20_000m);
        Assert.Equal(Usd(20_000m), s.Fund.Reserved);
        Assert.Equal(Usd(30_000m), s.Fund.Available);
        Assert.Equal(2, s.State.Approval!.Level);
        var t = s.Approve(Director, 4_999.99m);
        Assert.Equal(FundRequestStatus.Approved, s.State.Status);
        var release = (ReleaseReservation)t.Commands.OfType<AppendToLedger>().Single().Command;
        Assert.Equal(Usd(4_999.99m), release.KeepReserved);
        Assert.Equal(Usd(4_999.99m), s.Fund.Reserved);
        Assert.Equal(Usd(45_000.01m), s.Fund.Available);
        Assert.Equal(s.Fund.Figures.TotalIn, s.Fund.Figures.TotalAccountedFor);
    }

    [Fact]
    public void An_approved_amount_above_the_current_one_zero_or_in_another_currency_is_refused()
    {
        var s = new RequestScenario();
        s.Submit(4_000m);
        Assert.Equal("approval.amount_above_requested", s.Approve(ChannelManager, 4_000.01m).Refusals.Single().Code);
        Assert.Equal("approval.amount_not_positive", s.Approve(ChannelManager, 0m).Refusals.Single().Code);
        Assert.Equal("approval.currency", s.Do(new ApproveRequest(1, Eur(10m), As(ChannelManager))).Refusals.Single().Code);
        Assert.Equal(FundRequestStatus.PendingApproval, s.State.Status);
    }

    [Fact]
    public void An_approver_of_another_level_or_outside_the_chain_is_refused()
    {
        var s = new RequestScenario();
        s.Submit(8_000m);
        var wrong = s.Approve(Director);
        Assert.Equal("approval.wrong_approver", wrong.Refusals.Single().Code);
        Assert.Contains("level 2", wrong.Refusals.Single().Message);
        Assert.Equal("approval.wrong_approver", s.Do(new ApproveRequest(1, null, new Actor("intruder"))).Refusals.Single().Code);
        Assert.Equal("approval.wrong_approver", s.Do(new ApproveRequest(1, null, Partner)).Refusals.Single().Code);
    }

    [Fact]
    public void The_backup_can_act_only_once_the_step_is_escalated_to_them()
    {
        var s = new RequestScenario();
        s.Submit(4_000m);
        Assert.Equal("approval.backup_not_escalated", s.Approve(ChannelManagerBackup).Refusals.Single().Code);
        var escalation = s.Do(new RequestEscalationDue(1, Actor.System("timer")));
        Assert.Equal([ChannelManagerBackup], escalation.Commands.OfType<EmailApprovers>().Single().To);
        Assert.True(s.Do(new RequestEscalationDue(1, Actor.System("timer"))).IsNoOp);
        s.Approve(ChannelManagerBackup);
        Assert.Equal(FundRequestStatus.Approved, s.State.Status);
        Assert.Equal("cm-2", s.State.History[^1].By.UserId);
    }

    [Fact]
    public void A_second_click_on_a_decided_step_changes_nothing()
    {
        var s = new RequestScenario();
        s.Submit(8_000m);
        s.Approve(ChannelManager);
        var again = s.Do(new ApproveRequest(1, null, As(ChannelManager)));
        Assert.True(again.IsNoOp);
        Assert.Empty(again.Commands);
        Assert.Equal(2, s.State.Approval!.Level);
    }

    [Fact]
    public void Another_approver_acting_on_a_decided_step_learns_who_decided_it()
    {
        var s = new RequestScenario();
        s.Submit(4_000m);
        s.Do(new RequestEscalationDue(1, Actor.System("timer")));
        s.Approve(ChannelManager);
        var late = s.Do(new RejectRequest(1, "too expensive", As(ChannelManagerBackup)));
        Assert.Equal("approval.step_already_decided", late.Refusals.Single().Code);
        Assert.Contains("by cm-1", late.Refusals.Single().Message);
        Assert.Equal(FundRequestStatus.Approved, s.State.Status);
    }

    [Fact]
    public void Rejection_releases_everything_and_tells_the_partner_why()
    {
        var s = new RequestScenario();
        s.Submit(8_000m);
        Assert.Equal("request.text_missing", s.Do(new RejectRequest(1, "  ", As(ChannelManager))).Refusals.Single().Code);
        var t = s.Do(new RejectRequest(1, "duplicate of last quarter's event", As(ChannelManager)));
        Assert.Equal(FundRequestStatus.Rejected, s.State.Status);
        Assert.Equal(Usd(0m), s.Fund.Reserved);
        Assert.Equal(Usd(50_000m), s.Fund.Available);
        Assert.Contains("duplicate of last quarter's event", t.Commands.OfType<EmailPartner>().Single().Message);
    }

    [Fact]
    public void Asking_for_information_returns_the_request_to_the_partner_and_resumes_at_the_same_level()
    {
        var s = new RequestScenario();
        s.Submit(8_000m);
        s.Approve(ChannelManager);
        var ask = s.Do(new AskForInformation(2, "Which venue?", As(Director)));
        Assert.Equal(FundRequestStatus.InformationRequested, s.State.Status);
        Assert.Contains("Which venue?", ask.Commands.OfType<EmailPartner>().Single().Message);
        Assert.Equal(Usd(8_000m), s.Fund.Reserved);
        Assert.Equal("request.waiting_for_partner", s.Do(new ApproveRequest(s.State.Step, null, As(Director))).Refusals.Single().Code);
        Assert.Equal("request.not_your_request", s.Do(new ProvideInformation("The Hilton", OtherPartner)).Refusals.Single().Code);

        var answer = s.Do(new ProvideInformation("The Hilton, 200 seats", Partner));
        Assert.True(s.Do(new ProvideInformation("The Hilton, 200 seats", Partner)).IsNoOp);
        Assert.Equal(FundRequestStatus.PendingApproval, s.State.Status);
        Assert.Equal(2, s.State.Approval!.Level);
        Assert.Equal([Director], answer.Commands.OfType<EmailApprovers>().Single().To);
        Assert.Equal("approval.step_already_decided", s.Do(new ApproveRequest(3, null, As(DirectorBackup))).Refusals.Single().Code);
        s.Approve(Director);
        Assert.Equal(FundRequestStatus.Approved, s.State.Status);
        Assert.Equal("request.no_question", s.Do(new ProvideInformation("again", Partner)).Refusals.Single().Code);
    }

    [Fact]
    public void Reminders_go_to_the_current_level_and_late_timers_are_ignored()
    {
        var s = new RequestScenario();
        s.Submit(8_000m);
        var reminder = s.Do(new RequestReminderDue(1, Actor.System("timer")));
        Assert.Equal((ApprovalEmailKind.Reminder, 1), (reminder.Commands.OfType<EmailApprovers>().Single().Kind, reminder.Commands.OfType<EmailApprovers>().Single().Level));
        s.Approve(ChannelManager);
        Assert.True(s.Do(new RequestReminderDue(1, Actor.System("timer"))).IsNoOp);
        Assert.True(s.Do(new RequestEscalationDue(1, Actor.System("timer"))).IsNoOp);
    }

    [Fact]
    public void Cancellation_releases_the_reservation_once_and_only_the_partner_can_cancel()
    {
        var s = new RequestScenario().Approved(8_000m);
        Assert.Equal("request.not_your_request", s.Do(new CancelRequest("changed plans", OtherPartner)).Refusals.Single().Code);
        s.Do(new CancelRequest("changed plans", Partner));
        Assert.Equal(FundRequestStatus.Cancelled, s.State.Status);
        Assert.Equal(Usd(50_000m), s.Fund.Available);
        Assert.True(s.Do(new CancelRequest("changed plans", Partner)).IsNoOp);
        Assert.Equal("request.not_pending", s.Approve(Director).Refusals.Single().Code);
    }

    [Fact]
    public void A_claimed_request_cannot_be_cancelled()
    {
        var s = new RequestScenario().Approved(4_000m);
        s.Do(new ClaimSubmitted("claim-1", Partner));
        Assert.Equal("request.already_claimed", s.Do(new CancelRequest("oops", Partner)).Refusals.Single().Code);
        Assert.True(s.Do(new ClaimSubmitted("claim-1", Partner)).IsNoOp);
        Assert.Equal("request.not_claimable", s.Do(new ClaimSubmitted("claim-2", Partner)).Refusals.Single().Code);
    }

    [Fact]
    public void An_undecided_request_expires_when_its_activity_starts()
    {
        var s = new RequestScenario();
        s.Submit(8_000m);
        s.Clock = Days.StartOf(Today.AddDays(20)).AddTicks(-1);
        Assert.True(s.Do(new RequestExpiryDue(Actor.System("timer"))).IsNoOp);
        s.Clock = Days.StartOf(Today.AddDays(20));
        s.Do(new RequestExpiryDue(Actor.System("timer")));
        Assert.Equal(FundRequestStatus.Expired, s.State.Status);
        Assert.Equal(Usd(0m), s.Fund.Reserved);
        Assert.Equal("approval.step_already_decided", s.Do(new ApproveRequest(1, null, As(ChannelManager))).Refusals.Single().Code);
        Assert.Equal("request.not_pending", s.Approve(ChannelManager).Refusals.Single().Code);
    }

    [Fact]
    public void An_approved_request_does_not_expire()
    {
        var s = new RequestScenario().Approved(4_000m);
        s.Clock = Days.StartOf(Today.AddDays(30));
        Assert.True(s.Do(new RequestExpiryDue(Actor.System("timer"))).IsNoOp);
        Assert.Equal(Usd(4_000m), s.Fund.Reserved);
    }

    [Fact]
    public void Every_accepted_action_is_in_the_history_with_who_when_and_where()
    {
        var s = new RequestScenario();
        s.Submit(8_000m);
        s.Clock = Now.AddHours(3);
        s.Approve(ChannelManager, 7_000m);
        var entry = s.State.History[^1];
        Assert.Equal(("cm-1", "198.51.100.20", "Outlook confirm page", Now.AddHours(3), 1, Usd(7_000m)),
            (entry.By.UserId, entry.By.Ip, entry.By.UserAgent, entry.At, entry.Step, entry.Amount));
        Assert.Contains("approved USD 7,000.00 of USD 8,000.00", entry.What);
    }
}
