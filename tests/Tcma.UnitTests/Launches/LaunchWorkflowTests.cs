using System.Text.Json;
using Tcma.Domain;
using Tcma.Domain.Kits;
using Tcma.Domain.Launches;
using Tcma.Domain.Workflows;

namespace Tcma.UnitTests.Launches;

public sealed class LaunchWorkflowTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
    private readonly LaunchWorkflow workflow = new();

    private static LaunchTouch Touch(int i, string channel, int dueHours, int windowHours = 2) =>
        new(i, $"{i}-c{i}", channel, $"c{i}", Now.AddHours(dueHours), Now.AddHours(dueHours + windowHours));

    private static WorkflowEvent Started(params LaunchTouch[] touches) => new("started", LaunchWorkflow.Started, "partner:p",
        JsonSerializer.Serialize(new LaunchStarted("v", "p", "kit-1", touches, new OutboxEmail("p@example.com", "Launched", "text")), WorkflowJson.Options));

    private WorkflowDecision<LaunchState> Run(LaunchState state, WorkflowEvent e, DateTimeOffset at) => workflow.Decide(state, e, at);

    [Fact]
    public void Starting_arms_a_timer_per_touch_asks_for_the_render_and_sends_the_confirmation()
    {
        var d = Run(new LaunchState(), Started(Touch(0, "email", 3), Touch(1, "social", 50)), Now);
        Assert.Equal(LaunchStatus.Running, d.State.Status);
        Assert.Equal(["touch-0", "touch-1"], d.Commands.OfType<SetTimer>().Select(t => t.Name));
        Assert.Equal(Now.AddHours(3), d.Commands.OfType<SetTimer>().First().DueAt);
        Assert.Contains(d.Commands.OfType<SendMessage>(), m => m.Queue == LaunchWork.Queue && m.Json.Contains(LaunchWork.Render));
        Assert.Single(d.Commands.OfType<SendEmail>());
    }

    [Fact]
    public void A_touch_whose_window_closed_before_confirming_is_missed_and_never_armed()
    {
        var d = Run(new LaunchState(), Started(Touch(0, "email", -5), Touch(1, "email", 5)), Now);
        Assert.Equal(TouchState.Missed, d.State.AllTouches[0].State);
        Assert.Equal(["touch-1"], d.Commands.OfType<SetTimer>().Select(t => t.Name));
    }

    [Fact]
    public void A_due_touch_goes_to_the_work_queue_once_and_a_repeat_of_its_timer_does_nothing()
    {
        var running = Run(new LaunchState(), Started(Touch(0, "email", 1)), Now).State;
        var due = Run(running, WorkflowEvent.TimerFired("touch-0", 1), Now.AddHours(1));
        Assert.Equal(TouchState.Sending, due.State.AllTouches[0].State);
        Assert.True(due.State.MaySend("0-c0"));
        var work = Assert.Single(due.Commands.OfType<SendMessage>());
        Assert.Equal(0, JsonSerializer.Deserialize<LaunchWork>(work.Json)!.Touch);
        Assert.Empty(Run(due.State, WorkflowEvent.TimerFired("touch-0", 2), Now.AddHours(1)).Commands);
    }

    [Fact]
    public void A_timer_that_wakes_after_the_window_closed_misses_the_touch_rather_than_sending_late()
    {
        var running = Run(new LaunchState(), Started(Touch(0, "email", 1), Touch(1, "email", 30)), Now).State;
        var late = Run(running, WorkflowEvent.TimerFired("touch-0", 1), Now.AddHours(4));
        Assert.Equal(TouchState.Missed, late.State.AllTouches[0].State);
        Assert.Empty(late.Commands.OfType<SendMessage>());
    }

    [Fact]
    public void Pause_cancels_pending_timers_and_the_gate_says_no_resume_rearms_and_cancel_ends()
    {
        var running = Run(new LaunchState(), Started(Touch(0, "email", 1), Touch(1, "email", 30)), Now).State;
        var sending = Run(running, WorkflowEvent.TimerFired("touch-0", 1), Now.AddHours(1)).State;
        var paused = Run(sending, new WorkflowEvent("p1", LaunchWorkflow.Paused, "partner:p"), Now.AddHours(1));
        Assert.Equal(LaunchStatus.Paused, paused.State.Status);
        Assert.Equal(["touch-1"], paused.Commands.OfType<CancelTimer>().Select(c => c.Name));
        Assert.False(paused.State.MaySend("0-c0"));
        Assert.Empty(Run(paused.State, new WorkflowEvent("p2", LaunchWorkflow.Paused), Now.AddHours(1)).Commands);

        var resumed = Run(paused.State, new WorkflowEvent("r1", LaunchWorkflow.Resumed, "partner:p"), Now.AddHours(2));
        Assert.Equal(LaunchStatus.Running, resumed.State.Status);
        Assert.Equal(Now.AddHours(30), Assert.Single(resumed.Commands.OfType<SetTimer>()).DueAt);
        // the interrupted fan-out carries on
        Assert.Single(resumed.Commands.OfType<SendMessage>());

        var cancelled = Run(resumed.State, new WorkflowEvent("c1", LaunchWorkflow.Cancelled, "partner:p"), Now.AddHours(3));
        Assert.Equal(LaunchStatus.Cancelled, cancelled.State.Status);
        Assert.Single(cancelled.Commands.OfType<Complete>());
        Assert.All(cancelled.State.AllTouches, t => Assert.Equal(TouchState.Stopped, t.State));
        Assert.Empty(Run(cancelled.State, new WorkflowEvent("r2", LaunchWorkflow.Resumed), Now.AddHours(3)).Commands);
    }

    [Fact]
    public void A_touch_whose_window_closed_during_a_pause_is_missed_on_resume()
    {
        var running = Run(new LaunchState(), Started(Touch(0, "email", 1)), Now).State;
        var paused = Run(running, new WorkflowEvent("p", LaunchWorkflow.Paused), Now).State;
        var resumed = Run(paused, new WorkflowEvent("r", LaunchWorkflow.Resumed), Now.AddHours(5));
        Assert.Equal(TouchState.Missed, resumed.State.AllTouches[0].State);
        Assert.Equal(LaunchStatus.Finished, resumed.State.Status);
    }

    [Fact]
    public void A_recall_stops_every_pending_touch_and_ends_the_launch()
    {
        var running = Run(new LaunchState(), Started(Touch(0, "email", 1), Touch(1, "social", 30)), Now).State;
        var recalled = Run(running, new WorkflowEvent("recalled:k:1", LaunchWorkflow.Recalled, "vendor:x"), Now);
        Assert.Equal(LaunchStatus.Recalled, recalled.State.Status);
        Assert.All(recalled.State.AllTouches, t => Assert.Equal(TouchState.Stopped, t.State));
        Assert.Single(recalled.Commands.OfType<Complete>());
    }

    [Fact]
    public void The_last_touch_sent_finishes_the_launch_and_a_repeated_report_changes_nothing()
    {
        var running = Run(new LaunchState(), Started(Touch(0, "email", 1)), Now).State;
        var sending = Run(running, WorkflowEvent.TimerFired("touch-0", 1), Now.AddHours(1)).State;
        var report = new WorkflowEvent("touch-sent:0", LaunchWorkflow.TouchSentEvent, null, JsonSerializer.Serialize(new TouchSent(0, 42), WorkflowJson.Options));
        var sent = Run(sending, report, Now.AddHours(1));
        Assert.Equal(42, sent.State.AllTouches[0].Sent);
        Assert.Equal(LaunchStatus.Finished, sent.State.Status);
        Assert.Single(sent.Commands.OfType<Complete>());
    }

    [Fact]
    public void Channels_not_chosen_are_skipped_and_named()
    {
        var kit = new KitManifest
        {
            Id = "k", Name = "K", Vendor = "V", Version = "1.0.0", Languages = ["en"],
            Content = new KitContent { Social = [new KitSocialPost("post", SocialNetwork.LinkedIn, "p.txt")] },
            Schedule = [new ScheduledTouch { Day = 0, Email = "welcome" }, new ScheduledTouch { Day = 1, Social = "post" }],
        };
        var placed = LaunchSchedule.Place(kit, new DateOnly(2026, 12, 2), TimeZoneInfo.Utc, Now);
        var touches = LaunchWorkflow.Touches(kit, placed, email: true, networks: []);
        Assert.Equal(TouchState.Scheduled, touches[0].State);
        Assert.Equal(TouchState.Skipped, touches[1].State);
        Assert.Contains("LinkedIn", touches[1].Note);
    }

    [Fact]
    public void Send_ids_are_stable_per_recipient_whatever_the_case_of_the_address()
    {
        Assert.Equal(LaunchWorkflow.SendId("k-1", "0-w", "Ada@Example.com"), LaunchWorkflow.SendId("k-1", "0-w", "ada@example.com "));
        Assert.NotEqual(LaunchWorkflow.SendId("k-1", "0-w", "ada@example.com"), LaunchWorkflow.SendId("k-1", "0-w", "bob@example.com"));
    }
}

public sealed class LaunchEditsTests
{
    private static readonly KitManifest Kit = new()
    {
        Id = "k", Name = "K", Vendor = "V", Version = "1.0.0", Languages = ["en"], Schedule = [],
        Editable =
        [
            new EditableField { Name = "intro", Label = "Intro", Type = "multiline", MaxLength = 20, Default = "Hello" },
            new EditableField { Name = "headline", Label = "Headline", Type = "text", MaxLength = 10, Default = "Hi" },
            new EditableField { Name = "pick", Label = "Pick", Type = "choice", Options = ["a", "b"], Default = "a" },
            new EditableField { Name = "ends", Label = "Ends", Type = "date", Default = "2026-06-30" },
        ],
    };

    [Fact]
    public void Untouched_fields_keep_their_defaults_and_html_is_kept_as_typed_for_templates_to_escape()
    {
        var (values, problems) = LaunchEdits.Check(Kit, new Dictionary<string, string?> { ["headline"] = "<b>x</b>" });
        Assert.Empty(problems);
        Assert.Equal("<b>x</b>", values["headline"]);
        Assert.Equal("Hello", values["intro"]);
    }

    [Fact]
    public void Every_field_over_its_limits_or_unknown_is_named()
    {
        var (_, problems) = LaunchEdits.Check(Kit, new Dictionary<string, string?>
        {
            ["intro"] = new string('x', 21), ["headline"] = "two\nlines", ["pick"] = "c", ["ends"] = "30/06/2026", ["price"] = "0",
        });
        Assert.Equal(["ends", "headline", "intro", "pick", "price"], problems.Select(p => p.Field).Order(StringComparer.Ordinal).ToArray());
    }
}

public sealed class LaunchTargetingTests
{
    private static Domain.Partners.Partner Partner(string tier, string region, params string[] specialisations) =>
        new("p", "P", tier, region, null, specialisations, [new("A", "a@example.com", "", true)], Domain.Partners.PartnerStatus.Active);

    private static readonly KitTargeting Targeting = new()
    {
        Tiers = ["Gold", "Silver"], Regions = ["EMEA"], Specialisations = ["Backup"],
        PublishFrom = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), ExpiresAt = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void A_partner_must_match_every_list_the_kit_gives_and_an_empty_list_admits_everyone()
    {
        Assert.Null(LaunchTargeting.Excludes(Targeting, Partner("gold", "emea", "Storage", "backup")));
        Assert.Contains("tier", LaunchTargeting.Excludes(Targeting, Partner("Bronze", "EMEA", "Backup")));
        Assert.Contains("region", LaunchTargeting.Excludes(Targeting, Partner("Gold", "APAC", "Backup")));
        Assert.Contains("specialisations", LaunchTargeting.Excludes(Targeting, Partner("Gold", "EMEA")));
        Assert.Null(LaunchTargeting.Excludes(new KitTargeting(), Partner("Bronze", "APAC")));
    }

    [Fact]
    public void A_kit_launches_only_between_its_publish_and_expiry_dates()
    {
        Assert.NotNull(LaunchTargeting.Closed(Targeting, new DateTimeOffset(2025, 12, 31, 23, 59, 0, TimeSpan.Zero)));
        Assert.Null(LaunchTargeting.Closed(Targeting, new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.NotNull(LaunchTargeting.Closed(Targeting, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }
}
