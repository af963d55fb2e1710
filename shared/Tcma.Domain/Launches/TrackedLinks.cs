using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Tcma.Domain.Launches;

/// <summary>
/// Click tracking for campaign emails: every http(s) link of both parts becomes a redirect through our domain, and the
/// redirect adds the UTM parameters. The redirect only ever goes to a URL that was in the email (the links are stored
/// under the send, and the token names one by its index), so it can never be made into an open redirect.
/// </summary>
public static partial class TrackedLinks
{
    /// <summary>The purpose of the signed token in a <c>/r/{token}</c> link; a token for any other purpose opens nothing.</summary>
    public const string TokenPurpose = "click";

    /// <summary>One entity-group batch stores a send's links; more distinct links than that stay as they are.</summary>
    public const int MaxLinksPerEmail = 100;

    /// <summary>Longer URLs are left untracked: a table property holds 32K characters and no mail client wants more.</summary>
    public const int MaxUrlLength = 4000;

    /// <summary>The email with its links replaced, and the distinct original URLs: the one at index i is what the i-th redirect goes to.</summary>
    public sealed record Rewritten(string Html, string Text, IReadOnlyList<string> Urls);

    // href of <a> and <area> only: <link href> (stylesheets) and <img src> must keep loading from where they are.
    [GeneratedRegex("""(<(?:a|area)\b[^>]*?\bhref\s*=\s*)("[^"]*"|'[^']*'|[^\s>"']+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HrefPattern();

    [GeneratedRegex("""https?://[^\s<>"'`]+""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TextUrlPattern();

    /// <summary>
    /// Replaces each trackable link by <paramref name="redirectFor"/>(index of its URL). HTML hrefs are read
    /// entity-decoded (what the browser would follow); in the text part a URL ends at whitespace, and trailing
    /// punctuation is taken to belong to the sentence.
    /// </summary>
    public static Rewritten Rewrite(string html, string text, Func<int, string> redirectFor)
    {
        var urls = new List<string>();
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        int? IndexOf(string url)
        {
            if (!IsTrackable(url)) return null;
            if (indexes.TryGetValue(url, out var known)) return known;
            if (urls.Count == MaxLinksPerEmail) return null;
            indexes[url] = urls.Count;
            urls.Add(url);
            return urls.Count - 1;
        }

        var newHtml = HrefPattern().Replace(html, m =>
        {
            var raw = m.Groups[2].Value;
            var quoted = raw.Length >= 2 && raw[0] is '"' or '\'' ;
            var value = quoted ? raw[1..^1] : raw;
            var url = WebUtility.HtmlDecode(value).Trim();
            return IndexOf(url) is { } i ? $"{m.Groups[1].Value}\"{WebUtility.HtmlEncode(redirectFor(i))}\"" : m.Value;
        });

        var newText = TextUrlPattern().Replace(text, m =>
        {
            var url = m.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', ']', '}', '*', '>');
            var rest = m.Value[url.Length..];
            return IndexOf(url) is { } i ? redirectFor(i) + rest : m.Value;
        });
        return new Rewritten(newHtml, newText, urls);
    }

    /// <summary>Only absolute http and https URLs on a host, short enough to store: never javascript:, data: or anything relative.</summary>
    public static bool IsTrackable(string url) =>
        url.Length <= MaxUrlLength
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0
        && url.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase)
        && !url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c));

    public static readonly IReadOnlyList<string> UtmNames = ["utm_source", "utm_medium", "utm_campaign", "utm_content"];

    /// <summary>
    /// The URL with our UTM parameters: the rest of its query and its fragment stay as they were; UTM parameters the
    /// kit had already put there are replaced, so a report never sees two different sources for one click.
    /// </summary>
    public static string WithUtm(string url, string campaignName, string touchId)
    {
        var hash = url.IndexOf('#');
        var fragment = hash >= 0 ? url[hash..] : "";
        var beforeFragment = hash >= 0 ? url[..hash] : url;
        var question = beforeFragment.IndexOf('?');
        var path = question >= 0 ? beforeFragment[..question] : beforeFragment;
        var query = question >= 0 ? beforeFragment[(question + 1)..] : "";

        var kept = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !UtmNames.Contains(Uri.UnescapeDataString(pair.Split('=')[0].Replace('+', ' ')), StringComparer.OrdinalIgnoreCase));
        var ours = new[] { ("utm_source", "tcma"), ("utm_medium", "email"), ("utm_campaign", campaignName), ("utm_content", touchId) }
            .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}");
        var builder = new StringBuilder(path).Append('?').AppendJoin('&', kept.Concat(ours)).Append(fragment);
        return builder.ToString();
    }

    /// <summary>The subject of a click token: which send, which of its links. Space never occurs in an escaped id.</summary>
    public static string TokenSubject(string sendId, int index) => $"{Uri.EscapeDataString(sendId)} {index}";

    public static bool TryReadTokenSubject(string subject, out string sendId, out int index)
    {
        sendId = "";
        index = -1;
        var parts = subject.Split(' ');
        if (parts.Length != 2 || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)
            || index >= MaxLinksPerEmail) return false;
        sendId = Uri.UnescapeDataString(parts[0]);
        return sendId.Length > 0;
    }
}
