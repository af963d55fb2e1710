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

    /// <summary>
    /// Where partners reach the app (e.g. https://app.example.com/): OAuth redirect URIs and links in reconnect emails
    /// are built on it. Unset, the connect flow uses the request's own origin.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }
}

/// <summary>The app registered with a network for the partner's OAuth consent.</summary>
public abstract class OAuthClientOptions
{
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>Scopes asked for at connect, space-separated.</summary>
    public abstract string Scopes { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(ClientSecret);
}

public sealed class LinkedInOptions : OAuthClientOptions
{
    /// <summary>Host of LinkedIn's consent page and token endpoint (/oauth/v2/authorization, /oauth/v2/accessToken).</summary>
    public Uri OAuthBaseUrl { get; set; } = new("https://www.linkedin.com");

    /// <summary>openid so the token check can call /v2/userinfo; w_member_social to post as the member.</summary>
    public override string Scopes { get; set; } = "openid profile w_member_social";

    public Uri BaseUrl { get; set; } = new("https://api.linkedin.com");

    /// <summary>LinkedIn-Version header (YYYYMM). LinkedIn sunsets versions after about a year: keep this current.</summary>
    public string Version { get; set; } = "202609";
}

public sealed class XOptions : OAuthClientOptions
{
    /// <summary>X's consent page; the token endpoint is /2/oauth2/token on <see cref="BaseUrl"/>.</summary>
    public Uri AuthorizeUrl { get; set; } = new("https://x.com/i/oauth2/authorize");

    /// <summary>offline.access for a refresh token: X access tokens live two hours.</summary>
    public override string Scopes { get; set; } = "tweet.read tweet.write users.read media.write offline.access";

    public Uri BaseUrl { get; set; } = new("https://api.x.com");
}

public sealed class FacebookOptions : OAuthClientOptions
{
    /// <summary>Host of the Login dialog (/{version}/dialog/oauth); the token endpoint is on <see cref="BaseUrl"/>.</summary>
    public Uri DialogBaseUrl { get; set; } = new("https://www.facebook.com");

    public override string Scopes { get; set; } = "pages_show_list pages_manage_posts pages_read_engagement";

    public Uri BaseUrl { get; set; } = new("https://graph.facebook.com");

    public string GraphVersion { get; set; } = "v25.0";
}
