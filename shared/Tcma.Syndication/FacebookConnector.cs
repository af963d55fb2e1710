using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tcma.Syndication;

/// <summary>
/// Facebook Graph API for a Page, with a Page access token: POST /{page-id}/photos (multipart source + caption,
/// published=true) for text with an image, POST /{page-id}/feed for text alone. The account id is the Page id. The
/// token travels in the Authorization header, never in a URL, so no request log can carry it.
/// </summary>
public sealed class FacebookConnector(
    HttpClient http, IOptions<SyndicationOptions> options, SocialTokenProtector protector, TimeProvider time, ILogger<FacebookConnector> logger)
    : SocialConnectorBase(http, options, protector, time, logger)
{
    public override SocialNetwork Network => SocialNetwork.Facebook;

    protected override int MaxTextLength => 63_206;

    protected override long MaxImageBytes => 4 * 1024 * 1024;

    protected override IReadOnlyList<string> RequiredScopes(SocialAccount account) => ["pages_manage_posts", "pages_read_engagement"];

    protected override async Task<PublishOutcome> PublishCoreAsync(SocialAccount account, string token, SocialPost post, CancellationToken cancellationToken)
    {
        if (post.PreviousAttemptAt is { } since)
        {
            var existing = await FindExistingAsync(account, token, post.Text, since, cancellationToken);
            if (existing is not null)
                return existing;
        }

        HttpRequestMessage request;
        if (post.Image is { } image)
        {
            request = Request(HttpMethod.Post, Graph($"{Uri.EscapeDataString(account.AccountId)}/photos"), token);
            var file = new ReadOnlyMemoryContent(image.Bytes);
            file.Headers.ContentType = new(image.ContentType!);
            request.Content = new MultipartFormDataContent
            {
                { file, "source", image.FileName },
                { new StringContent(post.Text), "caption" },
                { new StringContent("true"), "published" },
            };
        }
        else
        {
            request = Request(HttpMethod.Post, Graph($"{Uri.EscapeDataString(account.AccountId)}/feed"), token);
            request.Content = new FormUrlEncodedContent([new("message", post.Text)]);
        }

        NetworkResponse created;
        using (request)
            created = await SendAsync(request, cancellationToken);
        if (!created.IsSuccess)
            return Classify(created, "create the post", post);
        var node = JsonNode.Parse(created.Body);
        // /photos answers with the photo id and the feed story's post_id; the post is what partners look at.
        var postId = (string?)node?["post_id"] ?? (string?)node?["id"];
        if (postId is null)
            return new PublishOutcome.RetryLater(Options.DefaultRetryAfter, "Facebook accepted the post but returned no id.");
        return Published(postId, alreadyExisted: false);
    }

    protected override async Task<AccountCheck> CheckCoreAsync(SocialAccount account, string token, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, Graph("me?fields=id"), token);
        var response = await SendAsync(request, cancellationToken);
        if (response.IsSuccess)
        {
            var id = (string?)JsonNode.Parse(response.Body)?["id"];
            return id == account.AccountId
                ? AccountCheck.Healthy
                : new(AccountHealth.ReconnectNeeded, $"The Facebook token is for {id}, not Page {account.AccountId}: a Page access token is needed.");
        }
        return Classify(response, "check the token") switch
        {
            PublishOutcome.Reconnect r => new(AccountHealth.ReconnectNeeded, r.Reason),
            PublishOutcome.RetryLater r => new(AccountHealth.TransientFailure, r.Reason, r.After),
            var other => new(AccountHealth.TransientFailure, other.ToString(), Options.DefaultRetryAfter),
        };
    }

    /// <summary>The Page's published posts since the earlier attempt started, looking for our text.</summary>
    private async Task<PublishOutcome?> FindExistingAsync(SocialAccount account, string token, string text, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var from = since.AddMinutes(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = Request(HttpMethod.Get, Graph($"{Uri.EscapeDataString(account.AccountId)}/published_posts?fields=id,message,created_time&since={from}&limit=25"), token);
        var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccess)
            return Classify(response, "look for an earlier attempt's post");
        foreach (var item in JsonNode.Parse(response.Body)?["data"]?.AsArray() ?? [])
        {
            if (SameText(text, (string?)item?["message"]) && (string?)item?["id"] is { } id)
                return Published(id, alreadyExisted: true);
        }
        return null;
    }

    /// <summary>Graph errors are classified by their code, not the HTTP status (rate limits come back as 400s).</summary>
    private PublishOutcome Classify(NetworkResponse response, string step, SocialPost? post = null)
    {
        JsonNode? error = null;
        try { error = JsonNode.Parse(response.Body)?["error"]; }
        catch (System.Text.Json.JsonException) { }
        var code = (int?)error?["code"];
        var subcode = (int?)error?["error_subcode"];
        var message = Excerpt((string?)error?["message"] ?? response.Body);
        var described = $"Facebook error {code?.ToString(CultureInfo.InvariantCulture) ?? "?"}{(subcode is null ? "" : "/" + subcode)} when trying to {step}: {message}";
        return code switch
        {
            190 or 102 => new PublishOutcome.Reconnect($"The Facebook token is expired or revoked. {described}"),
            10 or (>= 200 and <= 299) => new PublishOutcome.Reconnect($"The Facebook connection lacks a permission. {described}"),
            4 or 17 or 32 or 613 or 80001 => new PublishOutcome.RetryLater(RateLimitDelay(response), $"Facebook rate limit. {described}"),
            506 => new PublishOutcome.Rejected(post?.PreviousAttemptAt is null
                ? $"Facebook refused the post as a duplicate. {described}"
                : $"Facebook refused the post as a duplicate; an earlier attempt of this touch most likely published it, but Facebook does not say which post it is. {described}"),
            1 or 2 => new PublishOutcome.RetryLater(RetryDelay(response), $"Facebook is temporarily unavailable. {described}"),
            _ when (bool?)error?["is_transient"] == true || response.Code >= 500
                => new PublishOutcome.RetryLater(RetryDelay(response), described),
            _ when response.Code == 401 => new PublishOutcome.Reconnect(described),
            _ => new PublishOutcome.Rejected(described),
        };
    }

    /// <summary>
    /// Facebook says when access returns in X-Business-Use-Case-Usage (estimated_time_to_regain_access, minutes),
    /// not in Retry-After.
    /// </summary>
    private TimeSpan RateLimitDelay(NetworkResponse response)
    {
        if (response.Headers.TryGetValues("X-Business-Use-Case-Usage", out var values))
        {
            try
            {
                var minutes = JsonNode.Parse(values.First())?.AsObject()
                    .SelectMany(business => business.Value?.AsArray() ?? [])
                    .Select(usage => (int?)usage?["estimated_time_to_regain_access"] ?? 0)
                    .DefaultIfEmpty(0).Max() ?? 0;
                if (minutes > 0)
                    return TimeSpan.FromMinutes(minutes);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
            {
            }
        }
        return RetryDelay(response);
    }

    private Uri Graph(string relative) => new(Options.Facebook.BaseUrl, $"{Options.Facebook.GraphVersion}/{relative}");

    private static PublishOutcome.Published Published(string id, bool alreadyExisted) =>
        new(id, new Uri($"https://www.facebook.com/{id}"), alreadyExisted);
}
