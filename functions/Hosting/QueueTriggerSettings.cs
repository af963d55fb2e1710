namespace Tcma.Functions.Hosting;

/// <summary>
/// The queue-trigger settings written to <c>host.json</c> and reproduced by the local trigger host: one
/// declaration, so both run the same semantics.
/// </summary>
public sealed record QueueTriggerSettings
{
    public static readonly QueueTriggerSettings Default = new();

    public int BatchSize { get; init; } = 16;

    /// <summary>The host fetches the next batch once this few are still running (its default: half the batch).</summary>
    public int NewBatchThreshold { get; init; } = 8;

    public int MaxDequeueCount { get; init; } = 5;

    /// <summary>How long a failed message stays invisible before its retry: none, retry at once.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The longest idle wait between polls. The host's default of one minute would add up to a minute to a
    /// lead's first notification or an approval email after a quiet spell; 2 s costs about 43,000 empty
    /// receives per queue per day (a few cents) and keeps those paths interactive.
    /// </summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromSeconds(2);

    public string MessageEncoding { get; init; } = "base64";

    /// <summary>The shortest wait after an empty receive; doubles while idle (the host's own minimum is 100 ms).</summary>
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The idle back-off: double the wait, up to the maximum.</summary>
    public static TimeSpan NextPollingInterval(TimeSpan current, TimeSpan max, TimeSpan? min = null)
    {
        var floor = min ?? MinPollingInterval;
        var next = current < floor ? floor : current * 2;
        return next > max ? max : next;
    }
}
