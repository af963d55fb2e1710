using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tcma.Syndication;

/// <summary>
/// What every connector does the same way: refuse what cannot succeed before touching the network, decrypt the
/// token only for the call, turn transport failures and timeouts into RetryLater, and keep the token out of every
/// reason, log line and exception that leaves this class.
/// </summary>
public abstract partial class SocialConnectorBase : ISocialConnector
{
    private const int MaxErrorBodyChars = 2_000;

    protected SocialConnectorBase(HttpClient http, IOptions<SyndicationOptions> options, SocialTokenProtector protector, TimeProvider time, ILogger logger)
    {
        Http = http;
        Options = options.Value;
        Protector = protector;
        Time = time;
        Logger = logger;
    }

    public abstract SocialNetwork Network { get; }

    protected HttpClient Http { get; }
    protected SyndicationOptions Options { get; }
    protected SocialTokenProtector Protector { get; }
    protected TimeProvider Time { get; }
    protected ILogger Logger { get; }

    /// <summary>Weighted length limit of the post text on this network.</summary>
    protected abstract int MaxTextLength { get; }

    protected abstract long MaxImageBytes { get; }

    /// <summary>Scopes without which posting cannot work; a token lacking one needs a reconnect, found before the due time.</summary>
    protected abstract IReadOnlyList<string> RequiredScopes(SocialAccount account);

    protected virtual int TextLength(string text) => text.EnumerateRunes().Count();

    public async Task<PublishOutcome> PublishAsync(SocialAccount account, SocialPost post, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(post);
        if (account.Network != Network)
            throw new ArgumentException($"A {account.Network} account was given to the {Network} connector.", nameof(account));

        var refused = Refuse(post);
        if (refused is not null)
            return Log(account, post, refused);
        if (account.ExpiresAt is { } expiresAt && expiresAt <= Time.GetUtcNow())
            return Log(account, post, new PublishOutcome.Reconnect($"The {Network} token expired at {expiresAt:u}."));
        if (!TryUnprotect(account, out var token, out var reason))
            return Log(account, post, new PublishOutcome.Reconnect(reason));

        PublishOutcome outcome;
        try
        {
            outcome = await PublishCoreAsync(account, token, post, cancellationToken);
        }
        catch (TransientNetworkException ex)
        {
            outcome = new PublishOutcome.RetryLater(Options.DefaultRetryAfter, ex.Message);
        }
        catch (System.Text.Json.JsonException)
        {
            // An answer we cannot read may still mean the post exists: retry, and the retry looks for it first.
            outcome = new PublishOutcome.RetryLater(Options.DefaultRetryAfter, $"{Network} sent an answer that is not the JSON its API documents.");
        }
        return Log(account, post, Scrub(outcome, token));
    }

    public async Task<AccountCheck> CheckAccountAsync(SocialAccount account, DateTimeOffset? neededUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (account.Network != Network)
            throw new ArgumentException($"A {account.Network} account was given to the {Network} connector.", nameof(account));

        var now = Time.GetUtcNow();
        if (account.ExpiresAt is { } expiresAt)
        {
            if (expiresAt <= now)
                return Log(account, new AccountCheck(AccountHealth.ReconnectNeeded, $"The {Network} token expired at {expiresAt:u}."));
            if (neededUntil is { } until && expiresAt <= until)
                return Log(account, new AccountCheck(AccountHealth.ReconnectNeeded, $"The {Network} token expires at {expiresAt:u}, before the post due at {until:u}."));
        }
        var missing = RequiredScopes(account).Where(s => !account.Scopes.Contains(s, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
            return Log(account, new AccountCheck(AccountHealth.ReconnectNeeded, $"The {Network} connection lacks the permission(s) {string.Join(", ", missing)}."));
        if (!TryUnprotect(account, out var token, out var reason))
            return Log(account, new AccountCheck(AccountHealth.ReconnectNeeded, reason));

        AccountCheck check;
        try
        {
            check = await CheckCoreAsync(account, token, cancellationToken);
        }
        catch (TransientNetworkException ex)
        {
            check = new AccountCheck(AccountHealth.TransientFailure, ex.Message, Options.DefaultRetryAfter);
        }
        catch (System.Text.Json.JsonException)
        {
            check = new AccountCheck(AccountHealth.TransientFailure, $"{Network} sent an answer that is not the JSON its API documents.", Options.DefaultRetryAfter);
        }
        return Log(account, check with { Reason = Redact(check.Reason, token) });
    }

    protected abstract Task<PublishOutcome> PublishCoreAsync(SocialAccount account, string token, SocialPost post, CancellationToken cancellationToken);

    protected abstract Task<AccountCheck> CheckCoreAsync(SocialAccount account, string token, CancellationToken cancellationToken);

    private PublishOutcome? Refuse(SocialPost post)
    {
        if (string.IsNullOrWhiteSpace(post.IdempotencyKey))
            throw new ArgumentException("A social post needs its touch id as idempotency key.", nameof(post));
        if (string.IsNullOrWhiteSpace(post.Text) && post.Image is null)
            return new PublishOutcome.Rejected("The post has neither text nor an image.");
        var length = TextLength(post.Text ?? "");
        if (length > MaxTextLength)
            return new PublishOutcome.Rejected($"The text is {length} characters long; {Network} allows {MaxTextLength}.");
        if (post.Image is { } image)
        {
            if (image.ContentType is null)
                return new PublishOutcome.Rejected("The image is neither PNG nor JPEG.");
            if (image.Bytes.Length > MaxImageBytes)
                return new PublishOutcome.Rejected($"The image is {image.Bytes.Length} bytes; {Network} allows {MaxImageBytes}.");
        }
        return null;
    }

    private bool TryUnprotect(SocialAccount account, out string token, out string reason)
    {
        try
        {
            token = Protector.Unprotect(account.ProtectedToken, account.TokenBinding);
            reason = "";
            return true;
        }
        catch (SocialTokenException ex)
        {
            token = "";
            reason = $"The stored {Network} token cannot be used ({ex.Message}); the partner must reconnect.";
            return false;
        }
    }

    /// <summary>
    /// Sends one request with the configured timeout. The caller's cancellation propagates; everything else that
    /// stops an answer arriving (refused connection, reset, timeout) becomes a <see cref="TransientNetworkException"/>,
    /// whose outcome is unknown: the request may have been carried out.
    /// </summary>
    protected async Task<NetworkResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        var what = $"{request.Method} {request.RequestUri?.AbsolutePath}";
        try
        {
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return new NetworkResponse(response.StatusCode, response.Headers, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientNetworkException($"{Network} did not answer {what} within {Options.RequestTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            throw new TransientNetworkException($"{Network} could not be reached for {what}: {ex.HttpRequestError}.");
        }
    }

    protected static HttpRequestMessage Request(HttpMethod method, Uri uri, string token)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>Retry-After (seconds or HTTP date), then X's x-rate-limit-reset (epoch seconds), then the default.</summary>
    protected TimeSpan RetryDelay(NetworkResponse response)
    {
        var now = Time.GetUtcNow();
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
                return AtLeastOneSecond(delta);
            if (retryAfter.Date is { } date)
                return AtLeastOneSecond(date - now);
        }
        if (response.Headers.TryGetValues("x-rate-limit-reset", out var resets)
            && long.TryParse(resets.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch))
            return AtLeastOneSecond(DateTimeOffset.FromUnixTimeSeconds(epoch) - now);
        return Options.DefaultRetryAfter;
    }

    private static TimeSpan AtLeastOneSecond(TimeSpan delay) => delay < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : delay;

    /// <summary>The network's own words, shortened, for a reason a person will read.</summary>
    protected static string Excerpt(string body) => body.Length <= MaxErrorBodyChars ? body : body[..MaxErrorBodyChars] + "…";

    protected static string? Redact(string? text, string token) =>
        text is null || token.Length == 0 ? text : text.Replace(token, "[token]", StringComparison.Ordinal);

    private static PublishOutcome Scrub(PublishOutcome outcome, string token) => outcome switch
    {
        PublishOutcome.RetryLater r => r with { Reason = Redact(r.Reason, token)! },
        PublishOutcome.Reconnect r => r with { Reason = Redact(r.Reason, token)! },
        PublishOutcome.Rejected r => r with { Reason = Redact(r.Reason, token)! },
        _ => outcome,
    };

    /// <summary>
    /// Compares our text with what a network gives back for an existing post: networks rewrite links (t.co),
    /// append media links and trim whitespace, so links and whitespace are left out of the comparison.
    /// </summary>
    protected internal static bool SameText(string ours, string? theirs) =>
        theirs is not null && Normalize(ours) == Normalize(theirs);

    private static string Normalize(string text) => Whitespace().Replace(Link().Replace(text, " "), " ").Trim();

    [GeneratedRegex(@"https?://\S+", RegexOptions.IgnoreCase)]
    protected static partial Regex Link();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private PublishOutcome Log(SocialAccount account, SocialPost post, PublishOutcome outcome)
    {
        switch (outcome)
        {
            case PublishOutcome.Published p:
                Logger.LogInformation("{Network} post {Key} for {Account}: published as {PostId} (already existed: {Existed})", Network, post.IdempotencyKey, account.AccountId, p.PostId, p.AlreadyExisted);
                break;
            case PublishOutcome.RetryLater r:
                Logger.LogWarning("{Network} post {Key} for {Account}: retry in {Delay}: {Reason}", Network, post.IdempotencyKey, account.AccountId, r.After, r.Reason);
                break;
            case PublishOutcome.Reconnect r:
                Logger.LogWarning("{Network} post {Key} for {Account}: reconnect needed: {Reason}", Network, post.IdempotencyKey, account.AccountId, r.Reason);
                break;
            case PublishOutcome.Rejected r:
                Logger.LogWarning("{Network} post {Key} for {Account}: rejected: {Reason}", Network, post.IdempotencyKey, account.AccountId, r.Reason);
                break;
        }
        return outcome;
    }

    private AccountCheck Log(SocialAccount account, AccountCheck check)
    {
        Logger.Log(check.Health == AccountHealth.Healthy ? LogLevel.Information : LogLevel.Warning,
            "{Network} account {Account}: {Health} {Reason}", Network, account.AccountId, check.Health, check.Reason);
        return check;
    }

    protected sealed record NetworkResponse(HttpStatusCode Status, HttpResponseHeaders Headers, string Body)
    {
        public bool IsSuccess => (int)Status is >= 200 and < 300;
        public int Code => (int)Status;
    }

    protected sealed class TransientNetworkException(string message) : Exception(message);
}
