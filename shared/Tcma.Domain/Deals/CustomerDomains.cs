using System.Globalization;

namespace Tcma.Domain.Deals;

/// <summary>
/// The organisation's own internet domain, from a contact's email or a website, compared exactly: "sales.contoso.com",
/// "https://www.contoso.com/about" and "ana@contoso.com" are all contoso.com. Free mail domains name no organisation
/// and are never a customer's domain.
/// </summary>
public static class CustomerDomains
{
    private static readonly HashSet<string> FreeMail = new(StringComparer.Ordinal)
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "msn.com", "yahoo.com", "yahoo.co.uk",
        "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "proton.me",
        "protonmail.com", "mail.com", "yandex.ru", "yandex.com", "qq.com", "163.com", "126.com", "orange.fr", "free.fr", "libero.it",
        "zoho.com", "fastmail.com", "hey.com",
    };

    // Second-level public suffixes common among customers; the registrable domain is one label more.
    private static readonly HashSet<string> TwoLabelSuffixes = new(StringComparer.Ordinal)
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "co.za", "com.br",
        "com.mx", "co.in", "com.cn", "com.sg", "com.hk", "co.kr", "com.tr", "com.ar", "co.il", "com.my", "co.id", "com.pl",
    };

    private static readonly IdnMapping Idn = new();

    /// <summary>The registrable domain of an email address, or null (no @, a free mail domain, not a host name).</summary>
    public static string? OfEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email)) return null;
        var at = email.Trim().LastIndexOf('@');
        return at <= 0 ? null : Registrable(email.Trim()[(at + 1)..]);
    }

    /// <summary>The registrable domain of a website ("contoso.com", "https://www.contoso.com/x"), or null.</summary>
    public static string? OfWebsite(string? website)
    {
        if (string.IsNullOrWhiteSpace(website)) return null;
        var text = website.Trim();
        if (!text.Contains("://", StringComparison.Ordinal)) text = "https://" + text;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? Registrable(uri.Host) : null;
    }

    /// <summary>A host name cut to the domain an organisation registers; null for free mail, IP addresses and non-hosts.</summary>
    public static string? Registrable(string host)
    {
        string ascii;
        try
        {
            ascii = Idn.GetAscii(host.Trim().TrimEnd('.')).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
        var labels = ascii.Split('.');
        if (labels.Length < 2 || labels.Any(l => l.Length is 0 or > 63 || !l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))) return null;
        if (labels[^1].All(char.IsAsciiDigit)) return null; // an IPv4 address
        var take = labels.Length >= 3 && TwoLabelSuffixes.Contains($"{labels[^2]}.{labels[^1]}") ? 3 : 2;
        if (labels.Length < take) return null;
        var domain = string.Join('.', labels[^take..]);
        return FreeMail.Contains(domain) ? null : domain;
    }
}
