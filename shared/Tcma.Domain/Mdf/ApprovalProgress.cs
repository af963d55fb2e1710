using System.Text.Json.Serialization;
namespace Tcma.Domain.Mdf;

/// <summary>A recorded decision or event in a request's or claim's life: the audit trail and the partner's history page.</summary>
public sealed record HistoryEntry(DateTimeOffset At, Actor By, int Step, string What, string Status, Money? Amount = null);

/// <summary>
/// Where an approval stands: which level must act, at which step. <see cref="Step"/> changes whenever the
/// people who must act change, so a link or timer issued for an older step can never act on a newer one.
/// The backup approver may act once the step was escalated to them.
/// </summary>
public sealed record ApprovalProgress(ApprovalChain Chain, int Level, int Step, bool Escalated)
{
    [JsonIgnore] public ApprovalLevel Current => Chain.Level(Level);

    [JsonIgnore] public IReadOnlyList<Approver> Approvers => Escalated ? [Current.Approver, Current.Backup] : [Current.Approver];

    public Refusal? CheckActor(Actor by, int step, IReadOnlyList<HistoryEntry> history)
    {
        if (step != Step)
        {
            var decided = history.LastOrDefault(h => h.Step == step && !h.By.IsSystem);
            return new("approval.step_already_decided", decided is null
                ? "This link belongs to a step that is no longer current."
                : $"This step was already decided: {decided.What} by {decided.By.UserId} at {decided.At:u}.");
        }
        if (Approvers.Any(a => a.UserId == by.UserId)) return null;
        if (Current.Backup.UserId == by.UserId)
            return new("approval.backup_not_escalated", $"You are the backup for level {Level}; you can act once the step is escalated to you.");
        var other = Chain.Levels.FirstOrDefault(l => l.Includes(by.UserId));
        return new("approval.wrong_approver", other is null
            ? $"{by.UserId} is not an approver of this chain."
            : $"You approve at level {other.Number} ({other.Name}); this is waiting for level {Level} ({Current.Name}).");
    }

    public ApprovalProgress NextStep(int level) => new(Chain, level, Step + 1, Escalated: false);

    /// <summary>Timers for a fresh step: a reminder, then escalation to the backup.</summary>
    public IEnumerable<MdfCommand> Timers(string subjectId, DateTimeOffset now, int reminderDays, int escalationDays) =>
    [
        new SetTimer(subjectId, TimerKind.Reminder, Step, now.AddDays(reminderDays)),
        new SetTimer(subjectId, TimerKind.Escalation, Step, now.AddDays(escalationDays)),
    ];

    public IEnumerable<MdfCommand> CancelTimers(string subjectId) =>
    [
        new CancelTimer(subjectId, TimerKind.Reminder, Step),
        new CancelTimer(subjectId, TimerKind.Escalation, Step),
    ];
}
