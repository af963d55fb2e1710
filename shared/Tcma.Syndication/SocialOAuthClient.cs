using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tcma.Syndication;

/// <summary>What a completed OAuth consent yields: the account the partner posts as and its (raw) tokens, to be protected before storing.</summary>
public sealed record SocialGrant(
    SocialNetwork Network, string AccountId, string DisplayName, string AccessToken, string? RefreshToken,
    DateTimeOffset? ExpiresAt, IReadOnlyList<string> Scopes)
{
    // Raw tokens: never in a log line.
    public override string ToString() => $"{Network} grant for {AccountId} ({DisplayName})";
}

public abstract record OAuthOutcome
{
    private OAuthOutcome() { }

    public sealed record Granted(SocialGrant Grant) : OAuthOutcome;

    /// <summary>
    /// <paramref name="PartnerMessage"/> is what the partner reads; <paramref name="Reason"/> is for the log (no tokens);
    /// <paramref name="Code"/> is "failed", or "nopage" when Facebook shared no Page.
    /// </summary>
    public sealed record Failed(string PartnerMessage, string Reason, string Code = "failed") : OAuthOutcome;
}

/// <summary>The token endpoint could not answer now (5xx, 429, timeout, unreachable): try again later, it is no reason to reconnect.</summary>
public sealed class SocialNetworkUnavailableException(string message) : Exception(message);

/// <summary>A refreshed token pair; RefreshToken is null when the network kept the old one.</summary>
public sealed record RefreshedToken(string AccessToken, string? RefreshToken, DateTimeOffset? ExpiresAt);

/// <summary>
/// The OAuth 2.0 authorization-code flow of each network, as documented: the consent URL, the code exchange at the
/// token endpoint, and the lookups that turn a token into the account the connectors post as.
/// LinkedIn: /oauth/v2/authorization and /oauth/v2/accessToken, then /v2/userinfo (a member, urn:li:person:{sub}).
/// X: /i/oauth2/authorize with PKCE (S256), /2/oauth2/token with the client's Basic credentials, then /2/users/me.
/// Facebook: /{version}/dialog/oauth, /{version}/oauth/access_token (code, then fb_exchange_token for a long-lived
/// user token), /me/permissions, and /me/accounts for the Page and its Page token.
/// </summary>
public sealed class SocialOAuthClient(HttpClient http, IOptions<SyndicationOptions> options, TimeProvider time, ILogger<SocialOAuthClient> logger)
{
    private readonly SyndicationOptions settings = options.Value;

    public static bool UsesPkce(SocialNetwork network) => network == SocialNetwork.X;

    public bool IsConfigured(SocialNetwork network) => ClientOf(network).IsConfigured;

    /// <summary>A PKCE code verifier (RFC 7636: 43 characters of base64url) and its S256 challenge.</summary>
    public static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public Uri AuthorizationUrl(SocialNetwork network, Uri redirectUri, string state, string? codeChallenge)
    {
        var client = ClientOf(network);
        var query = new List<KeyValuePair<string, string>>
        {
            new("response_type", "code"),
            new("client_id", client.ClientId ?? ""),
            new("redirect_uri", redirectUri.ToString()),
            new("state", state),
        };
        Uri endpoint;
        switch (network)
        {
            case SocialNetwork.LinkedIn:
                endpoint = new Uri(settings.LinkedIn.OAuthBaseUrl, "oauth/v2/authorization");
                query.Add(new("scope", client.Scopes));
                break;
            case SocialNetwork.X:
                endpoint = settings.X.AuthorizeUrl;
                query.Add(new("scope", client.Scopes));
                query.Add(new("code_challenge", codeChallenge ?? throw new ArgumentNullException(nameof(codeChallenge), "X requires PKCE.")));
                query.Add(new("code_challenge_method", "S256"));
                break;
            default:
                endpoint = new Uri(settings.Facebook.DialogBaseUrl, $"{settings.Facebook.GraphVersion}/dialog/oauth");
                // The Login dialog takes a comma-separated list.
                query.Add(new("scope", string.Join(',', client.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
                break;
        }
        return new Uri(endpoint + "?" + string.Join('&', query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")));
    }

    public async Task<OAuthOutcome> ExchangeAsync(SocialNetwork network, string code, Uri redirectUri, string? codeVerifier, CancellationToken cancellationToken)
    {
        try
        {
            return network switch
            {
                SocialNetwork.LinkedIn => await LinkedInAsync(code, redirectUri, cancellationToken),
                SocialNetwork.X => await XAsync(code, redirectUri, codeVerifier ?? throw new ArgumentNullException(nameof(codeVerifier)), cancellationToken),
                _ => await FacebookAsync(code, redirectUri, cancellationToken),
            };
        }
        catch (OAuthFailure failure)
        {
            logger.LogWarning("{Network} connect failed: {Reason}", network, failure.Message);
            return new OAuthOutcome.Failed(failure.PartnerMessage, failure.Message, failure.Code);
        }
    }

    /// <summary>
    /// Trades a refresh token for a new access token (X rotates the refresh token too). Null when the network refuses
    /// it (revoked, expired): the partner must reconnect.
    /// </summary>
    /// <exception cref="SocialNetworkUnavailableException">The network could not answer now.</exception>
    public async Task<RefreshedToken?> RefreshAsync(SocialNetwork network, string refreshToken, CancellationToken cancellationToken)
    {
        if (network == SocialNetwork.Facebook) return null;
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken };
        try
        {
            var token = network == SocialNetwork.X
                ? await TokenRequestAsync(network, new Uri(settings.X.BaseUrl, "2/oauth2/token"), form, basicAuth: true, cancellationToken)
                : await TokenRequestAsync(network, new Uri(settings.LinkedIn.OAuthBaseUrl, "oauth/v2/accessToken"), form, basicAuth: false, cancellationToken);
            return new RefreshedToken(token.AccessToken, token.RefreshToken, token.ExpiresAt);
        }
        catch (OAuthFailure failure) when (failure.Transient)
        {
            logger.LogWarning("{Network} token refresh not possible now: {Reason}", network, failure.Message);
            throw new SocialNetworkUnavailableException($"{Name(network)} could not refresh the token now: {failure.Message}");
        }
        catch (OAuthFailure failure)
        {
            logger.LogWarning("{Network} token refresh refused: {Reason}", network, failure.Message);
            return null;
        }
    }

    private async Task<OAuthOutcome> LinkedInAsync(string code, Uri redirectUri, CancellationToken cancellationToken)
    {
        var token = await TokenRequestAsync(SocialNetwork.LinkedIn, new Uri(settings.LinkedIn.OAuthBaseUrl, "oauth/v2/accessToken"), new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri.ToString(),
        }, basicAuth: false, cancellationToken);
        var me = await GetJsonAsync(SocialNetwork.LinkedIn, new Uri(settings.LinkedIn.BaseUrl, "v2/userinfo"), token.AccessToken, cancellationToken);
        var sub = (string?)me["sub"] ?? throw new OAuthFailure("/v2/userinfo gave no sub", "LinkedIn did not say which member signed in.");
        return Granted(SocialNetwork.LinkedIn, $"urn:li:person:{sub}", (string?)me["name"] ?? "LinkedIn member", token);
    }

    private async Task<OAuthOutcome> XAsync(string code, Uri redirectUri, string codeVerifier, CancellationToken cancellationToken)
    {
        var token = await TokenRequestAsync(SocialNetwork.X, new Uri(settings.X.BaseUrl, "2/oauth2/token"), new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri.ToString(),
            ["code_verifier"] = codeVerifier,
        }, basicAuth: true, cancellationToken);
        var me = await GetJsonAsync(SocialNetwork.X, new Uri(settings.X.BaseUrl, "2/users/me"), token.AccessToken, cancellationToken);
        var id = (string?)me["data"]?["id"] ?? throw new OAuthFailure("/2/users/me gave no data.id", "X did not say which account signed in.");
        var username = (string?)me["data"]?["username"];
        return Granted(SocialNetwork.X, id, username is null ? (string?)me["data"]?["name"] ?? "X account" : "@" + username, token);
    }

    private async Task<OAuthOutcome> FacebookAsync(string code, Uri redirectUri, CancellationToken cancellationToken)
    {
        var graph = new Uri(settings.Facebook.BaseUrl, settings.Facebook.GraphVersion + "/");
        var shortLived = await TokenRequestAsync(SocialNetwork.Facebook, new Uri(graph, "oauth/access_token"), new()
        {
            ["code"] = code,
            ["redirect_uri"] = redirectUri.ToString(),
        }, basicAuth: false, cancellationToken);
        // A Page token taken from a long-lived user token does not expire; one from the short-lived token would in an hour.
        var longLived = await TokenRequestAsync(SocialNetwork.Facebook, new Uri(graph, "oauth/access_token"), new()
        {
            ["grant_type"] = "fb_exchange_token",
            ["fb_exchange_token"] = shortLived.AccessToken,
        }, basicAuth: false, cancellationToken);
        var permissions = await GetJsonAsync(SocialNetwork.Facebook, new Uri(graph, "me/permissions"), longLived.AccessToken, cancellationToken);
        var granted = permissions["data"]?.AsArray()
            .Where(p => (string?)p?["status"] == "granted").Select(p => (string?)p?["permission"]).OfType<string>().ToList() ?? [];
        var pages = await GetJsonAsync(SocialNetwork.Facebook, new Uri(graph, "me/accounts?fields=id,name,access_token,tasks"), longLived.AccessToken, cancellationToken);
        var candidates = pages["data"]?.AsArray().OfType<JsonNode>().ToList() ?? [];
        var page = candidates.FirstOrDefault(p => p["tasks"]?.AsArray().Any(t => (string?)t == "CREATE_CONTENT") == true) ?? candidates.FirstOrDefault();
        if (page is null || (string?)page["id"] is not { } pageId || (string?)page["access_token"] is not { } pageToken)
            throw new OAuthFailure("/me/accounts listed no Page with a token",
                "No Facebook Page was shared with us. Connect again and choose the Page to post to.", "nopage");
        return new OAuthOutcome.Granted(new SocialGrant(SocialNetwork.Facebook, pageId, (string?)page["name"] ?? "Facebook Page", pageToken, null, null, granted));
    }

    private OAuthOutcome Granted(SocialNetwork network, string accountId, string displayName, TokenAnswer token) =>
        new OAuthOutcome.Granted(new SocialGrant(network, accountId, displayName, token.AccessToken, token.RefreshToken, token.ExpiresAt,
            token.Scope?.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                ?? ClientOf(network).Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

    private sealed record TokenAnswer(string AccessToken, string? RefreshToken, DateTimeOffset? ExpiresAt, string? Scope);

    /// <summary>
    /// A form POST to a token endpoint. Client credentials go in the Basic header for X (a confidential client) and in
    /// the form elsewhere, never in the URL, so neither the secret nor the code ends up in an access log.
    /// </summary>
    private async Task<TokenAnswer> TokenRequestAsync(SocialNetwork network, Uri endpoint, Dictionary<string, string> form, bool basicAuth, CancellationToken cancellationToken)
    {
        var client = ClientOf(network);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        if (basicAuth)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(client.ClientId ?? "")}:{Uri.EscapeDataString(client.ClientSecret ?? "")}")));
        else
            form["client_secret"] = client.ClientSecret ?? "";
        form["client_id"] = client.ClientId ?? "";
        request.Content = new FormUrlEncodedContent(form);
        var (status, body) = await SendAsync(network, request, cancellationToken);
        if (status is 429 or >= 500)
            throw new OAuthFailure($"token endpoint answered {status}", $"{Name(network)} is not answering properly right now. Please try again in a few minutes.", transient: true);
        var json = Parse(network, body);
        if (status is < 200 or >= 300 || (string?)json?["access_token"] is not { Length: > 0 } accessToken)
        {
            var error = (string?)json?["error_description"] ?? (string?)json?["error"]?["message"] ?? (string?)json?["error"] ?? $"HTTP {status}";
            throw new OAuthFailure($"token endpoint answered {status}: {Shorten(error)}",
                $"{Name(network)} did not accept the sign-in. Please try connecting again.");
        }
        DateTimeOffset? expiresAt = json["expires_in"] is JsonValue v && v.TryGetValue<long>(out var seconds) && seconds > 0
            ? time.GetUtcNow().AddSeconds(seconds) : null;
        return new TokenAnswer(accessToken, (string?)json["refresh_token"], expiresAt, (string?)json["scope"]);
    }

    private async Task<JsonNode> GetJsonAsync(SocialNetwork network, Uri uri, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var (status, body) = await SendAsync(network, request, cancellationToken);
        if (status is < 200 or >= 300)
            throw new OAuthFailure($"{uri.AbsolutePath} answered {status}", $"{Name(network)} did not let us read the account you signed in with. Please try again.");
        return Parse(network, body) ?? throw new OAuthFailure($"{uri.AbsolutePath} sent no JSON", $"{Name(network)} sent an answer we could not read. Please try again.");
    }

    private async Task<(int Status, string Body)> SendAsync(SocialNetwork network, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OAuthFailure($"{request.RequestUri?.AbsolutePath} timed out", $"{Name(network)} did not answer in time. Please try again in a few minutes.", transient: true);
        }
        catch (HttpRequestException ex)
        {
            throw new OAuthFailure($"{request.RequestUri?.AbsolutePath} unreachable: {ex.HttpRequestError}", $"We could not reach {Name(network)}. Please try again in a few minutes.", transient: true);
        }
    }

    private static JsonNode? Parse(SocialNetwork network, string body)
    {
        try { return JsonNode.Parse(body); }
        catch (JsonException) { throw new OAuthFailure("answer is not JSON", $"{Name(network)} sent an answer we could not read. Please try again."); }
    }

    private OAuthClientOptions ClientOf(SocialNetwork network) => network switch
    {
        SocialNetwork.LinkedIn => settings.LinkedIn,
        SocialNetwork.X => settings.X,
        _ => settings.Facebook,
    };

    public static string Name(SocialNetwork network) => network == SocialNetwork.X ? "X" : network.ToString();

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private sealed class OAuthFailure(string reason, string partnerMessage, string code = "failed", bool transient = false) : Exception(reason)
    {
        public string PartnerMessage { get; } = partnerMessage;
        public string Code { get; } = code;
        public bool Transient { get; } = transient;
    }
}
