namespace Tcma.Domain.Leads;

/// <summary>A limit of Max submissions per Window for one key (an IP address, or a form).</summary>
public sealed record RateLimit(int Max, TimeSpan Window)
{
    public static readonly RateLimit PerIp = new(10, TimeSpan.FromMinutes(1));
    public static readonly RateLimit PerForm = new(600, TimeSpan.FromMinutes(1));
}

/// <summary>The count for one key in its current window, as stored in a row guarded by its ETag.</summary>
public sealed record RateWindow(DateTimeOffset Start, int Count);

public sealed record RateCheck(bool Allowed, RateWindow Next, TimeSpan RetryAfter);

/// <summary>
/// Fixed-window counting: cheap to store (one row per key and window, one ETag update per submission) and good enough
/// to stop a flood; a burst of at most twice the limit across a window edge is accepted.
/// </summary>
public static class CaptureRateLimit
{
    public static RateCheck Check(RateWindow? current, DateTimeOffset now, RateLimit limit)
    {
        var window = current is not null && now >= current.Start && now - current.Start < limit.Window
            ? current
            : new RateWindow(WindowStart(now, limit.Window), 0);
        if (window.Count >= limit.Max)
            return new RateCheck(false, window, window.Start + limit.Window - now);
        return new RateCheck(true, window with { Count = window.Count + 1 }, TimeSpan.Zero);
    }

    /// <summary>Windows are aligned to the clock so every instance of the app counts in the same row.</summary>
    public static DateTimeOffset WindowStart(DateTimeOffset now, TimeSpan window) =>
        new(now.UtcTicks - now.UtcTicks % window.Ticks, TimeSpan.Zero);
}
