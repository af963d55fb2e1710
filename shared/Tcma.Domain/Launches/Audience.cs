namespace Tcma.Domain.Launches;

/// <summary>What one contact of a launch did with the launch's earlier emails. A click counts as an open.</summary>
public readonly record struct ContactEngagement(bool Opened, bool Clicked)
{
    public static readonly ContactEngagement None = new(false, false);

    /// <summary>Someone who clicked certainly opened, whether or not their mail client loaded the pixel.</summary>
    public static ContactEngagement From(bool opened, bool clicked) => new(opened || clicked, clicked);
}

/// <summary>
/// Who receives an email touch, as the kit's schedule names it (<c>all</c>, <c>non-openers</c>, <c>non-clickers</c>),
/// judged on what the contact did with the launch's emails sent before this touch.
/// </summary>
public static class Audience
{
    public const string All = "all", NonOpeners = "non-openers", NonClickers = "non-clickers";

    /// <summary>
    /// Whether the touch goes to a contact. An audience this code does not know (the kit schema allows none) sends, the
    /// way <c>all</c> does: a kit never silently loses its emails because of a spelling the validator let through.
    /// </summary>
    public static bool Includes(string? audience, ContactEngagement engagement) => audience switch
    {
        NonOpeners => !engagement.Opened && !engagement.Clicked,
        NonClickers => !engagement.Clicked,
        _ => true,
    };

    /// <summary>Whether the touch needs the launch's engagement at all: <c>all</c> sends without reading it.</summary>
    public static bool NeedsEngagement(string? audience) => audience is NonOpeners or NonClickers;
}
