using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Tcma.Domain.Kits;
using Tcma.Domain.Workflows;

namespace Tcma.Domain.Launches;

[JsonConverter(typeof(JsonStringEnumConverter<LaunchStatus>))]
public enum LaunchStatus { NotStarted, Running, Paused, Cancelled, Recalled, Finished }

[JsonConverter(typeof(JsonStringEnumConverter<TouchState>))]
public enum TouchState { Scheduled, Sending, Sent, Missed, Skipped, Stopped }

/// <summary>One touch of one launch: what it sends, when (UTC), and where it stands.</summary>
public sealed record LaunchTouch(
    int Index, string TouchId, string Channel, string ContentId, DateTimeOffset DueUtc, DateTimeOffset WindowEndUtc,
    TouchState State = TouchState.Scheduled, int Sent = 0, string? Note = null)
{
    public const string Email = "email", Social = "social";
    public string Timer => $"touch-{Index}";
    public bool IsOver => State is TouchState.Sent or TouchState.Missed or TouchState.Skipped or TouchState.Stopped;
}

/// <summary>What the launch workflow starts with: the placed touches and the partner's confirmation email.</summary>
public sealed record LaunchStarted(string VendorId, string PartnerId, string LaunchId, IReadOnlyList<LaunchTouch> Touches, OutboxEmail? Confirmation);

/// <summary>A touch's fan-out finished: how many messages it handed on.</summary>
public sealed record TouchSent(int Index, int Count);

/// <summary>Work the launch workflow hands to the <c>launch-work</c> queue: render the assets, or send one due touch.</summary>
public sealed record LaunchWork(string Kind, string VendorId, string LaunchId, int Touch = -1)
{
    public const string Queue = "launch-work";
    public const string Render = "render", Send = "touch";
}

public sealed record LaunchState(
    LaunchStatus Status = LaunchStatus.NotStarted,
    string? VendorId = null,
    string? PartnerId = null,
    string? LaunchId = null,
    IReadOnlyList<LaunchTouch>? Touches = null,
    bool AssetsRendered = false,
    DateTimeOffset? ChangedAt = null,
    string? ChangedBy = null)
{
    [JsonIgnore] public IReadOnlyList<LaunchTouch> AllTouches => Touches ?? [];

    /// <summary>
    /// Only a running launch sends (a finished one still delivers what its last touch handed on), and only a touch
    /// whose time has come: one being handed to the mailer, or already handed on and waiting in its queue.
    /// </summary>
    public bool MaySend(string touchId) =>
        Status is LaunchStatus.Running or LaunchStatus.Finished &&
        AllTouches.Any(t => t.TouchId == touchId && t.State is TouchState.Sending or TouchState.Sent);
}

/// <summary>
/// A partner's launch as a workflow: every touch armed as a timer at its due time; a due touch is handed to the
/// <c>launch-work</c> queue for its fan-out; pause cancels the pending timers, resume re-arms them (touches whose
/// window closed meanwhile are missed, never sent late), cancel and a kit recall end the launch.
/// </summary>
public sealed class LaunchWorkflow : WorkflowDefinition<LaunchState>
{
    public const string TypeName = "Launch";
    public const string Started = "Started", AssetsRendered = "AssetsRendered", TouchSentEvent = "TouchSent",
        Paused = "Paused", Resumed = "Resumed", Cancelled = "Cancelled", Recalled = "Recalled";

    public override string Type => TypeName;
    public override LaunchState Initial => new();

    public static string InstanceId(string vendorId, string launchId) => $"{vendorId}|{launchId}";

    public override WorkflowDecision<LaunchState> Decide(LaunchState state, WorkflowEvent e, DateTimeOffset now)
    {
        switch (state.Status)
        {
            case LaunchStatus.NotStarted when e.Name == Started:
            {
                var started = e.DataAs<LaunchStarted>() ?? throw new ArgumentException("a Started event carries the launch");
                var commands = new List<WorkflowCommand> { Work(started.VendorId, started.LaunchId, LaunchWork.Render) };
                var touches = started.Touches.Select(t => t.State == TouchState.Scheduled && t.WindowEndUtc <= now
                    ? t with { State = TouchState.Missed, Note = "its send window had closed when the launch was confirmed" } : t).ToList();
                commands.AddRange(touches.Where(t => t.State == TouchState.Scheduled).Select(t => new SetTimer(t.Timer, t.DueUtc)));
                if (started.Confirmation is { } email) commands.Add(new SendEmail(email));
                var next = new LaunchState(LaunchStatus.Running, started.VendorId, started.PartnerId, started.LaunchId, touches, ChangedAt: now);
                return Finish(next, commands, now);
            }
            case LaunchStatus.Running or LaunchStatus.Paused when e.Name == AssetsRendered:
                return new(state with { AssetsRendered = true }, []);
            case LaunchStatus.Running when e.Name.StartsWith(WorkflowEvent.TimerPrefix, StringComparison.Ordinal):
            {
                var touch = state.AllTouches.FirstOrDefault(t => e.IsTimer(t.Timer));
                if (touch is not { State: TouchState.Scheduled }) return WorkflowDecision<LaunchState>.Unchanged(state);
                if (now >= touch.WindowEndUtc)
                    return Finish(Replace(state, touch with { State = TouchState.Missed, Note = "woke after its send window closed" }), [], now);
                return new(Replace(state, touch with { State = TouchState.Sending }), [Work(state.VendorId!, state.LaunchId!, LaunchWork.Send, touch.Index)]);
            }
            case LaunchStatus.Running or LaunchStatus.Paused when e.Name == TouchSentEvent:
            {
                var sent = e.DataAs<TouchSent>() ?? throw new ArgumentException("a TouchSent event carries the touch and count");
                var touch = state.AllTouches.FirstOrDefault(t => t.Index == sent.Index);
                if (touch is not { State: TouchState.Sending }) return WorkflowDecision<LaunchState>.Unchanged(state);
                return Finish(Replace(state, touch with { State = TouchState.Sent, Sent = sent.Count }), [], now);
            }
            case LaunchStatus.Running when e.Name == Paused:
                return new(state with { Status = LaunchStatus.Paused, ChangedAt = now, ChangedBy = e.Actor },
                    state.AllTouches.Where(t => t.State == TouchState.Scheduled).Select(t => (WorkflowCommand)new CancelTimer(t.Timer)).ToList());
            case LaunchStatus.Paused when e.Name == Resumed:
            {
                var commands = new List<WorkflowCommand>();
                var touches = new List<LaunchTouch>();
                foreach (var t in state.AllTouches)
                {
                    if (t.State == TouchState.Scheduled && t.WindowEndUtc <= now)
                        touches.Add(t with { State = TouchState.Missed, Note = "its send window closed while the launch was paused" });
                    else
                    {
                        if (t.State == TouchState.Scheduled) commands.Add(new SetTimer(t.Timer, t.DueUtc > now ? t.DueUtc : now));
                        // A fan-out the pause interrupted carries on from where it stopped.
                        if (t.State == TouchState.Sending) commands.Add(Work(state.VendorId!, state.LaunchId!, LaunchWork.Send, t.Index));
                        touches.Add(t);
                    }
                }
                return Finish(state with { Status = LaunchStatus.Running, Touches = touches, ChangedAt = now, ChangedBy = e.Actor }, commands, now);
            }
            case LaunchStatus.Running or LaunchStatus.Paused when e.Name is Cancelled or Recalled:
            {
                var status = e.Name == Cancelled ? LaunchStatus.Cancelled : LaunchStatus.Recalled;
                var note = e.Name == Cancelled ? "the launch was cancelled" : "the vendor recalled this kit version";
                var touches = state.AllTouches.Select(t => t.IsOver ? t : t with { State = TouchState.Stopped, Note = note }).ToList();
                return new(state with { Status = status, Touches = touches, ChangedAt = now, ChangedBy = e.Actor }, [new Complete(e.Name)]);
            }
            default:
                // Late, repeated or unknown events (a second pause, a click after cancel) change nothing.
                return WorkflowDecision<LaunchState>.Unchanged(state);
        }
    }

    private static WorkflowDecision<LaunchState> Finish(LaunchState state, List<WorkflowCommand> commands, DateTimeOffset now)
    {
        if (state.Status == LaunchStatus.Running && state.AllTouches.All(t => t.IsOver))
        {
            commands.Add(new Complete(nameof(LaunchStatus.Finished)));
            return new(state with { Status = LaunchStatus.Finished, ChangedAt = now }, commands);
        }
        return new(state, commands);
    }

    private static LaunchState Replace(LaunchState state, LaunchTouch touch) =>
        state with { Touches = state.AllTouches.Select(t => t.Index == touch.Index ? touch : t).ToList() };

    private static SendMessage Work(string vendorId, string launchId, string kind, int touch = -1) =>
        new(LaunchWork.Queue, System.Text.Json.JsonSerializer.Serialize(new LaunchWork(kind, vendorId, launchId, touch)));

    /// <summary>
    /// The kit's schedule placed for this partner, with the channels the partner chose: a touch on a channel not
    /// chosen is skipped, and says so.
    /// </summary>
    public static IReadOnlyList<LaunchTouch> Touches(KitManifest kit, IReadOnlyList<ScheduledSend> placed, bool email, IReadOnlyCollection<SocialNetwork> networks)
    {
        var touches = new List<LaunchTouch>();
        foreach (var send in placed)
        {
            var t = send.Touch;
            if (t.Email is { } emailId)
            {
                touches.Add(new LaunchTouch(send.Index, $"{send.Index}-{emailId}", LaunchTouch.Email, emailId, send.DueUtc, send.WindowEndUtc)
                    is var touch && email ? touch : touch with { State = TouchState.Skipped, Note = "email was not chosen" });
            }
            else if (t.Social is { } postId)
            {
                var network = kit.Content.Social.FirstOrDefault(p => p.Id == postId)?.Network;
                var touch = new LaunchTouch(send.Index, $"{send.Index}-{postId}", LaunchTouch.Social, postId, send.DueUtc, send.WindowEndUtc);
                touches.Add(network is { } n && networks.Contains(n) ? touch : touch with { State = TouchState.Skipped, Note = $"{network} was not chosen" });
            }
        }
        return touches;
    }

    /// <summary>Unique per launch, touch and recipient, and the same on every retry: the mailer sends an id once.</summary>
    public static string SendId(string launchId, string touchId, string recipientEmail) => $"{launchId}.{touchId}.{ContactKey(recipientEmail)}";

    /// <summary>
    /// One contact across the touches of a launch, without their address: what engagement is recorded under, so the
    /// fan-out of a later touch can tell who opened or clicked an earlier one.
    /// </summary>
    public static string ContactKey(string recipientEmail) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipientEmail.Trim().ToLowerInvariant())))[..20];

    /// <summary>The contact a <see cref="SendId"/> was for (its last part), or null for anything not shaped like one.</summary>
    public static string? ContactKeyOfSend(string sendId)
    {
        var dot = sendId.LastIndexOf('.');
        var key = dot < 0 ? "" : sendId[(dot + 1)..];
        return key.Length == 20 && key.All(char.IsAsciiHexDigitLower) ? key : null;
    }
}
