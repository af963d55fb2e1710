namespace Tcma.Syndication;

public sealed class SyndicationOptions
{
    public const string Section = "Syndication";

    public LinkedInOptions LinkedIn { get; set; } = new();
    public XOptions X { get; set; } = new();
    public FacebookOptions Facebook { get; set; } = new();

    /// <summary>Per request; a slower answer counts as a transient failure with an unknown outcome.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Delay for 5xx, timeouts and rate limits that give no hint of their own.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Key id to base64 AES key (16, 24 or 32 bytes). Old keys stay listed until every token is re-encrypted.</summary>
    public Dictionary<string, string> TokenKeys { get; set; } = new();

    public string? ActiveTokenKey { get; set; }
}

public sealed class LinkedInOptions
{
    public Uri BaseUrl { get; set; } = new("https://api.linkedin.com");

    /// <summary>LinkedIn-Version header (YYYYMM). LinkedIn sunsets versions after about a year: keep this current.</summary>
    public string Version { get; set; } = "202609";
}

public sealed class XOptions
{
    public Uri BaseUrl { get; set; } = new("https://api.x.com");
}

public sealed class FacebookOptions
{
    public Uri BaseUrl { get; set; } = new("https://graph.facebook.com");

    public string GraphVersion { get; set; } = "v25.0";
}
