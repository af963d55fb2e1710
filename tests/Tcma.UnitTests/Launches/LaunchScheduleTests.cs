using Tcma.Domain.Kits;
using Tcma.Domain.Launches;

namespace Tcma.UnitTests.Launches;

public sealed class LaunchScheduleTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static KitManifest Kit(params ScheduledTouch[] touches) => new()
    {
        Id = "k", Name = "Kit", Vendor = "V", Version = "1.0.0", Languages = ["en"], Schedule = touches,
    };

    private static SendWindow Window(int fromHour, int toHour) => new(new TimeOnly(fromHour, 0), new TimeOnly(toHour, 0));

    [Fact]
    public void Touches_are_due_at_the_start_of_their_window_in_the_partners_time_zone()
    {
        var kit = Kit(new ScheduledTouch { Day = 0, Email = "a", Window = Window(9, 11) }, new ScheduledTouch { Day = 2, Social = "b" });
        var sends = LaunchSchedule.Place(kit, new DateOnly(2026, 12, 1), Berlin, now: new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero), sends[0].DueUtc);
        Assert.Equal(9, sends[0].DueLocal.Hour);
        // no window: business hours start, 09:00 local
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero), sends[1].DueUtc);
    }

    [Fact]
    public void The_same_kit_lands_at_the_same_local_time_for_partners_in_different_zones()
    {
        var kit = Kit(new ScheduledTouch { Day = 0, Email = "a", Window = Window(9, 11) });
        var now = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
        var berlin = LaunchSchedule.Place(kit, new DateOnly(2026, 12, 1), Berlin, now)[0];
        var newYork = LaunchSchedule.Place(kit, new DateOnly(2026, 12, 1), NewYork, now)[0];
        Assert.Equal(berlin.DueLocal.TimeOfDay, newYork.DueLocal.TimeOfDay);
        Assert.Equal(TimeSpan.FromHours(6), newYork.DueUtc - berlin.DueUtc);
    }

    [Fact]
    public void A_day_offset_across_a_daylight_saving_change_keeps_the_local_hour()
    {
        // Europe moves clocks back on 2026-10-25.
        var kit = Kit(new ScheduledTouch { Day = 0, Email = "a", Window = Window(9, 10) }, new ScheduledTouch { Day = 3, Email = "b", Window = Window(9, 10) });
        var sends = LaunchSchedule.Place(kit, new DateOnly(2026, 10, 23), Berlin, now: new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(9, sends[0].DueLocal.Hour);
        Assert.Equal(9, sends[1].DueLocal.Hour);
        Assert.Equal(7, sends[0].DueUtc.Hour);
        Assert.Equal(8, sends[1].DueUtc.Hour);
    }

    [Fact]
    public void A_window_starting_in_the_spring_forward_gap_sends_at_the_first_real_minute()
    {
        // 2026-03-29 02:00-03:00 does not exist in Berlin.
        var utc = LaunchSchedule.ToUtc(new DateTime(2026, 3, 29, 2, 30, 0), Berlin);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), utc);
    }

    [Fact]
    public void A_launch_confirmed_inside_day_zeros_window_sends_now_and_one_confirmed_after_it_reports_the_miss()
    {
        var kit = Kit(new ScheduledTouch { Day = 0, Email = "a", Window = Window(9, 11) }, new ScheduledTouch { Day = 0, Social = "s", Window = Window(8, 9) });
        var now = new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero); // 10:30 in Berlin
        var sends = LaunchSchedule.Place(kit, new DateOnly(2026, 12, 1), Berlin, now);
        var email = sends.Single(s => s.Touch.Email == "a");
        Assert.Equal(now, email.DueUtc);
        var missed = Assert.Single(LaunchSchedule.AlreadyMissed(sends, now));
        Assert.Equal("s", missed.Touch.Social);
    }
}
