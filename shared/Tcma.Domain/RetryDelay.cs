namespace Tcma.Domain;

/// <summary>How long to wait before trying again after an outage (SMTP down): doubling, so a short blip costs little and a long outage is not hammered.</summary>
public static class RetryDelay
{
    /// <summary>After <paramref name="failures"/> failures: <paramref name="first"/>, then twice as long each time, never more than <paramref name="max"/>.</summary>
    public static TimeSpan Doubling(TimeSpan first, TimeSpan max, int failures)
    {
        var delay = first * Math.Pow(2, Math.Clamp(failures - 1, 0, 20));
        return delay > max ? max : delay;
    }
}
