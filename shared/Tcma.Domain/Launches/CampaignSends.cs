namespace Tcma.Domain.Launches;

/// <summary>Where one campaign email (one <see cref="CampaignEmail.SendId"/>) stands. Sent, Suppressed, Failed and SkippedAudience never change again.</summary>
public enum CampaignSendState
{
    /// <summary>About to be handed to SMTP, or handed over and not yet recorded: the attempt holds a lease until <see cref="CampaignSendRecord.LeaseUntil"/>.</summary>
    Sending,
    /// <summary>SMTP refused or was unreachable; a delayed copy of the message will try again.</summary>
    Retrying,
    Sent,
    /// <summary>The recipient had unsubscribed from (or hard-bounced for) this partner: not sent.</summary>
    Suppressed,
    /// <summary>
    /// The launch was paused or cancelled, or its kit version recalled, before this email went: not sent. Not final: the
    /// same SendId delivered again (a resumed launch re-queueing its touch) asks the gate again and may still go.
    /// </summary>
    Stopped,
    /// <summary>Given up: retried for <see cref="CampaignRetryPolicy.GiveUpAfter"/> without success, or refused for good.</summary>
    Failed,
    /// <summary>
    /// Not sent because the touch's audience (non-openers, non-clickers) left this contact out: written by the launch's
    /// fan-out instead of a message, so the count shows and a redelivered message for the send finds it settled.
    /// </summary>
    SkippedAudience,
}

/// <summary>The record of one campaign email, keyed by its SendId: what makes a redelivered message a no-op.</summary>
public sealed record CampaignSendRecord(
    string VendorId,
    string PartnerId,
    string LaunchId,
    string TouchId,
    string SendId,
    string Recipient,
    string FromName,
    CampaignSendState State,
    int Attempts,
    DateTimeOffset UpdatedAt)
{
    public DateTimeOffset? FirstFailureAt { get; init; }
    public DateTimeOffset? LeaseUntil { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public string? LastError { get; init; }
    public string? MessageId { get; init; }

    public bool IsFinal => State is CampaignSendState.Sent or CampaignSendState.Suppressed or CampaignSendState.Failed or CampaignSendState.SkippedAudience;
}

/// <summary>What to do with a delivered campaign message, given what the record says.</summary>
public abstract record CampaignSendStep
{
    /// <summary>Already settled: a duplicate delivery. Nothing to do.</summary>
    public sealed record AlreadyDone(CampaignSendState State) : CampaignSendStep;
    /// <summary>Another delivery of the same send holds the lease (or it is a retry that came early): look again later.</summary>
    public sealed record ComeBackLater(TimeSpan After) : CampaignSendStep;
    /// <summary>Go ahead. <paramref name="MaybeSentBefore"/>: an earlier attempt's lease ran out without an outcome, so it may have reached SMTP.</summary>
    public sealed record Attempt(bool MaybeSentBefore) : CampaignSendStep;
}

/// <summary>
/// How long SMTP trouble is retried and how often. A message's own retries (maxDequeueCount 5, no visibility delay)
/// would burn through in seconds, so the mailer re-queues a delayed copy and keeps the count in the send record.
/// </summary>
public sealed record CampaignRetryPolicy
{
    public static readonly CampaignRetryPolicy Default = new();

    /// <summary>An outage shorter than this never loses an email ("the SMTP server down for an hour").</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromHours(3);
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Longer than an SMTP send can take (its timeout), so a live attempt is never taken for a dead one.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>A rival delivery looks again this soon (or when the lease ends, if sooner): the holder is usually done in a second.</summary>
    public TimeSpan RecheckAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Doubling from <see cref="FirstDelay"/> up to <see cref="MaxDelay"/>: 30 s, 1, 2, 4, 8, 10, 10... minutes.</summary>
    public TimeSpan DelayAfter(int failures) => RetryDelay.Doubling(FirstDelay, MaxDelay, failures);

    public bool ShouldGiveUp(DateTimeOffset firstFailureAt, DateTimeOffset now) => now - firstFailureAt >= GiveUpAfter;

    /// <summary>The decision for a delivery, from the record (null: never seen) and the time.</summary>
    public CampaignSendStep Next(CampaignSendRecord? record, DateTimeOffset now) => record switch
    {
        null => new CampaignSendStep.Attempt(false),
        { IsFinal: true } => new CampaignSendStep.AlreadyDone(record.State),
        { State: CampaignSendState.Sending, LeaseUntil: { } until } when until > now => new CampaignSendStep.ComeBackLater(Min(until - now, RecheckAfter)),
        { State: CampaignSendState.Sending } => new CampaignSendStep.Attempt(true),
        // A retry is due when its delay is over; an early copy (a duplicate of the delayed message) waits for it.
        { State: CampaignSendState.Retrying, LeaseUntil: { } due } when due > now => new CampaignSendStep.ComeBackLater(due - now),
        _ => new CampaignSendStep.Attempt(false),
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>What a launch's status page shows of its emails: counts by state and every failure with its reason.</summary>
public sealed record CampaignSendSummary(IReadOnlyDictionary<CampaignSendState, int> Counts, IReadOnlyList<CampaignSendFailure> Failures)
{
    /// <summary>The same counts for each touch (by TouchId).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<CampaignSendState, int>> ByTouch { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<CampaignSendState, int>>();

    public int Count(string touchId, CampaignSendState state) =>
        ByTouch.TryGetValue(touchId, out var counts) && counts.TryGetValue(state, out var n) ? n : 0;

    public int Count(CampaignSendState state) => Counts.TryGetValue(state, out var n) ? n : 0;
    public int Total => Counts.Values.Sum();
}

public sealed record CampaignSendFailure(string SendId, string TouchId, string Recipient, string Reason, int Attempts, DateTimeOffset At);
