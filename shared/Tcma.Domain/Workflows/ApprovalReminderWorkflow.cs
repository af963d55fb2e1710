namespace Tcma.Domain.Workflows;

/// <summary>
/// Waits for someone's approval: reminds them after a while, escalates to someone else later, and stops the
/// moment the approval (or a rejection) arrives. The smallest real workflow; MDF approvals follow the same shape.
/// </summary>
public sealed class ApprovalReminderWorkflow : WorkflowDefinition<ApprovalReminderState>
{
    public const string TypeName = "ApprovalReminder";
    public const string Started = "Started", Approved = "Approved", Rejected = "Rejected";
    public const string RemindTimer = "remind", EscalateTimer = "escalate";

    public override string Type => TypeName;
    public override ApprovalReminderState Initial => new();

    public override WorkflowDecision<ApprovalReminderState> Decide(ApprovalReminderState state, WorkflowEvent e, DateTimeOffset now)
    {
        switch (state.Status)
        {
            case ApprovalStatus.NotStarted when e.Name == Started:
                var request = e.DataAs<ApprovalRequest>() ?? throw new ArgumentException("a Started event carries the approval request");
                var started = new ApprovalReminderState(ApprovalStatus.Waiting, request, now);
                return new(started,
                [
                    new SetTimer(RemindTimer, now + request.RemindAfter),
                    new SetTimer(EscalateTimer, now + request.EscalateAfter),
                ]);
            case ApprovalStatus.Waiting when e.IsTimer(RemindTimer):
                return new(state with { Reminders = state.Reminders + 1 }, [new SendEmail(Reminder(state.Request!))]);
            case ApprovalStatus.Waiting when e.IsTimer(EscalateTimer):
                return new(state with { Escalated = true }, [new SendEmail(Escalation(state.Request!))]);
            case ApprovalStatus.Waiting when e.Name is Approved or Rejected:
                var status = e.Name == Approved ? ApprovalStatus.Approved : ApprovalStatus.Rejected;
                return new(state with { Status = status, DecidedBy = e.Actor, DecidedAt = now }, [new Complete(e.Name)]);
            default:
                // Late, repeated or unknown events leave the state alone; the runtime still records them.
                return WorkflowDecision<ApprovalReminderState>.Unchanged(state);
        }
    }

    private static OutboxEmail Reminder(ApprovalRequest r) => new(
        r.Approver,
        $"Reminder: {r.Subject} is waiting for your approval",
        $"{r.Subject} is still waiting for your approval.",
        $"<p><strong>{System.Net.WebUtility.HtmlEncode(r.Subject)}</strong> is still waiting for your approval.</p>");

    private static OutboxEmail Escalation(ApprovalRequest r) => new(
        r.EscalateTo,
        $"Escalation: {r.Subject} has not been approved",
        $"{r.Subject} has waited for {r.Approver} since it was requested.",
        $"<p><strong>{System.Net.WebUtility.HtmlEncode(r.Subject)}</strong> has waited for {System.Net.WebUtility.HtmlEncode(r.Approver)}.</p>")
    {
        ReplyTo = r.Approver,
    };
}

public enum ApprovalStatus { NotStarted, Waiting, Approved, Rejected }

public sealed record ApprovalRequest(string Subject, string Approver, string EscalateTo, TimeSpan RemindAfter, TimeSpan EscalateAfter);

public sealed record ApprovalReminderState(
    ApprovalStatus Status = ApprovalStatus.NotStarted,
    ApprovalRequest? Request = null,
    DateTimeOffset? StartedAt = null,
    int Reminders = 0,
    bool Escalated = false,
    string? DecidedBy = null,
    DateTimeOffset? DecidedAt = null);
