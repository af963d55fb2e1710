using System.Text.RegularExpressions;
using Tcma.Domain;

namespace Tcma.Rendering.Liquid;

/// <summary>How long a rendered post is by the network's own counting, and whether it fits.</summary>
public sealed record SocialPostCheck(SocialNetwork Network, int Length, int Limit)
{
    public bool Fits => Length <= Limit;
    public string? Problem => Fits ? null : $"the {Network} post is {Length:N0} characters long; {Network} allows {Limit:N0}";
}

/// <summary>Checked after rendering, because only the rendered text (partner name, links) has a length.</summary>
public static partial class SocialPostLimits
{
    /// <summary>X shortens every link to a t.co address of this many characters.</summary>
    public const int XLinkLength = 23;

    public static int LimitOf(SocialNetwork network) => network switch
    {
        SocialNetwork.X => 280,
        SocialNetwork.LinkedIn => 3_000,
        SocialNetwork.Facebook => 63_206,
        _ => throw new ArgumentOutOfRangeException(nameof(network)),
    };

    public static SocialPostCheck Check(SocialNetwork network, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var length = network == SocialNetwork.X ? XLength(text) : CodePoints(text);
        return new SocialPostCheck(network, length, LimitOf(network));
    }

    /// <summary>
    /// X's weighted count (twitter-text v3): a link counts 23, Latin and common punctuation 1, other scripts and
    /// emoji 2 per code point. The limit of 280 is expressed in these units.
    /// </summary>
    private static int XLength(string text)
    {
        var length = 0;
        var last = 0;
        foreach (Match link in Url().Matches(text))
        {
            length += Weighted(text.AsSpan(last, link.Index - last)) + XLinkLength;
            last = link.Index + link.Length;
        }
        return length + Weighted(text.AsSpan(last));
    }

    private static int Weighted(ReadOnlySpan<char> text)
    {
        var total = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var v = rune.Value;
            total += v is <= 4351 or (>= 8192 and <= 8205) or (>= 8208 and <= 8223) or (>= 8242 and <= 8247) ? 1 : 2;
        }
        return total;
    }

    private static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();
}
