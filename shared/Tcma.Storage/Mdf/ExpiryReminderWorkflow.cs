using Tcma.Domain.Workflows;

namespace Tcma.Storage.Mdf;

/// <summary>The reminders a fund's partner has been sent (days before expiry: 30, 7).</summary>
public sealed record ExpiryReminderState(IReadOnlyList<int> Sent);

/// <summary>A reminder to send: which one, and the email as the expiry run wrote it (balance and signed link included).</summary>
public sealed record ExpiryReminderRequest(int DaysBefore, OutboxEmail Email);

/// <summary>
/// One instance per fund, used for what the workflow runtime guarantees: the event id <c>reminder:{days}</c> is
/// recorded once, and the email leaves through the outbox (retried by the sweeper, same Message-ID on a resend).
/// So each reminder reaches the partner once, even when expiry runs overlap or die between deciding and sending.
/// </summary>
public sealed class ExpiryReminderWorkflow : WorkflowDefinition<ExpiryReminderState>
{
    public const string TypeName = "MdfExpiryReminder";
    public const string Remind = "Remind";

    public override string Type => TypeName;
    public override ExpiryReminderState Initial => new([]);

    public static WorkflowEvent Event(ExpiryReminderRequest request) =>
        new($"reminder:{request.DaysBefore}", Remind, "system:mdf-expiry", System.Text.Json.JsonSerializer.Serialize(request, WorkflowJson.Options));

    public override WorkflowDecision<ExpiryReminderState> Decide(ExpiryReminderState state, WorkflowEvent e, DateTimeOffset now)
    {
        if (e.Name != Remind || e.DataAs<ExpiryReminderRequest>() is not { } request || state.Sent.Contains(request.DaysBefore))
            return WorkflowDecision<ExpiryReminderState>.Unchanged(state);
        return new(new ExpiryReminderState([.. state.Sent, request.DaysBefore]), [new SendEmail(request.Email)]);
    }
}
