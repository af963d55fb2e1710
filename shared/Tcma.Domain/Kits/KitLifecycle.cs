using System.Text.Json.Serialization;

namespace Tcma.Domain.Kits;

/// <summary>Where a kit version stands. Versions never change their files; only this status moves, and only forward.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KitStatus>))]
public enum KitStatus
{
    /// <summary>Files are being written; not yet a version anyone sees.</summary>
    Storing,
    /// <summary>Passed every check and stored; not launchable until published.</summary>
    Validated,
    /// <summary>Launchable by the partners it targets.</summary>
    Published,
    /// <summary>Withdrawn: no new launches, and running launches stop their pending sends. Final.</summary>
    Recalled,
}

[JsonConverter(typeof(JsonStringEnumConverter<KitAction>))]
public enum KitAction { Publish, Recall }

/// <summary>What a lifecycle request leads to.</summary>
public abstract record KitDecision
{
    /// <summary>The status moves; the caller writes it.</summary>
    public sealed record Move(KitStatus To) : KitDecision;
    /// <summary>Already where the request would take it: a repeat, answered as a success with nothing written.</summary>
    public sealed record AlreadyDone(KitStatus Status) : KitDecision;
    /// <summary>Not allowed from here; the reason is worded for the channel manager.</summary>
    public sealed record Refused(string Reason) : KitDecision;
}

/// <summary>The lifecycle rules: publish only a validated version, recall only a published one, never bring a recalled one back.</summary>
public static class KitLifecycle
{
    public static KitDecision Decide(KitStatus current, KitAction action) => (current, action) switch
    {
        (KitStatus.Validated, KitAction.Publish) => new KitDecision.Move(KitStatus.Published),
        (KitStatus.Published, KitAction.Publish) => new KitDecision.AlreadyDone(KitStatus.Published),
        (KitStatus.Recalled, KitAction.Publish) => new KitDecision.Refused("this version was recalled and cannot be published again; upload a new version"),
        (KitStatus.Published, KitAction.Recall) => new KitDecision.Move(KitStatus.Recalled),
        (KitStatus.Recalled, KitAction.Recall) => new KitDecision.AlreadyDone(KitStatus.Recalled),
        (KitStatus.Validated, KitAction.Recall) => new KitDecision.Refused("only a published version can be recalled; this one was never published"),
        (KitStatus.Storing, _) => new KitDecision.Refused("this version is still being stored; try again in a moment"),
        _ => new KitDecision.Refused($"cannot {action.ToString().ToLowerInvariant()} a version that is {current}"),
    };
}
