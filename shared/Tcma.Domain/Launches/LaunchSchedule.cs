using Tcma.Domain.Kits;

namespace Tcma.Domain.Launches;

/// <summary>One touch of a partner's launch, placed in time: when it is due (UTC) and how the partner reads it (local).</summary>
public sealed record ScheduledSend(int Index, ScheduledTouch Touch, DateTimeOffset DueUtc, DateTimeOffset DueLocal, DateTimeOffset WindowEndUtc);

/// <summary>
/// Places a kit's schedule on the calendar of one partner: day offsets from the partner's start date, each touch at
/// the start of its send window in the partner's time zone. Daylight-saving gaps and overlaps resolve the way a
/// person reading a wall clock expects.
/// </summary>
public static class LaunchSchedule
{
    public static IReadOnlyList<ScheduledSend> Place(KitManifest kit, DateOnly startDate, TimeZoneInfo partnerZone, DateTimeOffset now)
    {
        var sends = new List<ScheduledSend>();
        for (var i = 0; i < kit.Schedule.Count; i++)
        {
            var touch = kit.Schedule[i];
            var window = touch.Window ?? KitValidator.DefaultWindow;
            var day = startDate.AddDays(touch.Day);
            var start = ToUtc(day.ToDateTime(window.Start), partnerZone);
            var end = ToUtc(day.ToDateTime(window.End), partnerZone);
            // A launch confirmed in the middle of day 0's window sends now rather than skipping the touch.
            if (start < now && now < end) start = now;
            sends.Add(new ScheduledSend(i, touch, start, TimeZoneInfo.ConvertTime(start, partnerZone), end));
        }
        return sends.OrderBy(s => s.DueUtc).ThenBy(s => s.Index).ToList();
    }

    /// <summary>
    /// Local wall-clock time to UTC. In a spring-forward gap (02:30 that never happens) the clock has already moved on,
    /// so the send goes at the first valid minute after; in an autumn overlap the first (daylight) occurrence is taken.
    /// </summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            var daylight = offsets.Max();
            return new DateTimeOffset(local, daylight).ToUniversalTime();
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>Touches whose window already closed when the partner confirms cannot be sent: the launch page says so before confirming.</summary>
    public static IReadOnlyList<ScheduledSend> AlreadyMissed(IEnumerable<ScheduledSend> sends, DateTimeOffset now)
        => sends.Where(s => s.WindowEndUtc <= now).ToList();
}
