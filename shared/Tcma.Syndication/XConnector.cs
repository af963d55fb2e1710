using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tcma.Syndication;

/// <summary>
/// X API v2 with an OAuth 2.0 user token: POST /2/media/upload (multipart, one request for an image), then
/// POST /2/tweets. The account id is the numeric user id.
/// </summary>
public sealed class XConnector(
    HttpClient http, IOptions<SyndicationOptions> options, SocialTokenProtector protector, TimeProvider time, ILogger<XConnector> logger)
    : SocialConnectorBase(http, options, protector, time, logger)
{
    private const int LinkWeight = 23;

    public override SocialNetwork Network => SocialNetwork.X;

    protected override int MaxTextLength => 280;

    protected override long MaxImageBytes => 5 * 1024 * 1024;

    protected override IReadOnlyList<string> RequiredScopes(SocialAccount account) => ["tweet.read", "tweet.write", "users.read", "media.write"];

    /// <summary>X counts every link as 23 and most non-Latin characters (CJK, emoji) as 2 against its 280.</summary>
    protected override int TextLength(string text) => WeightedLength(text);

    internal static int WeightedLength(string text)
    {
        var links = Link().Matches(text);
        var withoutLinks = Link().Replace(text, "");
        var length = links.Count * LinkWeight;
        foreach (var rune in withoutLinks.EnumerateRunes())
            length += rune.Value is <= 0x10FF or (>= 0x2000 and <= 0x200D) or (>= 0x2010 and <= 0x201F) or (>= 0x2032 and <= 0x2037) ? 1 : 2;
        return length;
    }

    protected override async Task<PublishOutcome> PublishCoreAsync(SocialAccount account, string token, SocialPost post, CancellationToken cancellationToken)
    {
        if (post.PreviousAttemptAt is { } since)
        {
            var existing = await FindExistingAsync(account, token, post.Text, since, cancellationToken);
            if (existing is not null)
                return existing;
        }

        string? mediaId = null;
        if (post.Image is { } image)
        {
            using var upload = Request(HttpMethod.Post, new Uri(Options.X.BaseUrl, "2/media/upload"), token);
            var file = new ReadOnlyMemoryContent(image.Bytes);
            file.Headers.ContentType = new(image.ContentType!);
            upload.Content = new MultipartFormDataContent
            {
                { file, "media", image.FileName },
                { new StringContent("tweet_image"), "media_category" },
                { new StringContent(image.ContentType!), "media_type" },
            };
            var uploaded = await SendAsync(upload, cancellationToken);
            if (!uploaded.IsSuccess)
                return Classify(uploaded, post, "upload the image");
            mediaId = (string?)JsonNode.Parse(uploaded.Body)?["data"]?["id"];
            if (mediaId is null)
                return new PublishOutcome.RetryLater(Options.DefaultRetryAfter, "X's media upload answer had no data.id.");
        }

        var body = new JsonObject { ["text"] = post.Text };
        if (mediaId is not null)
            body["media"] = new JsonObject { ["media_ids"] = new JsonArray(mediaId) };
        using var create = Request(HttpMethod.Post, new Uri(Options.X.BaseUrl, "2/tweets"), token);
        create.Content = JsonContent.Create(body);
        var created = await SendAsync(create, cancellationToken);
        if (!created.IsSuccess)
            return Classify(created, post, "create the post");
        var id = (string?)JsonNode.Parse(created.Body)?["data"]?["id"];
        if (id is null)
            return new PublishOutcome.RetryLater(Options.DefaultRetryAfter, "X accepted the post but returned no data.id.");
        return Published(id, alreadyExisted: false);
    }

    protected override async Task<AccountCheck> CheckCoreAsync(SocialAccount account, string token, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, new Uri(Options.X.BaseUrl, "2/users/me"), token);
        var response = await SendAsync(request, cancellationToken);
        if (response.IsSuccess)
        {
            var id = (string?)JsonNode.Parse(response.Body)?["data"]?["id"];
            return id == account.AccountId
                ? AccountCheck.Healthy
                : new(AccountHealth.ReconnectNeeded, $"The X token belongs to user {id}, not {account.AccountId}.");
        }
        return response.Code switch
        {
            401 or 403 => new(AccountHealth.ReconnectNeeded, $"X refused the token ({response.Code}): {Detail(response)}"),
            429 or >= 500 => new(AccountHealth.TransientFailure, $"X answered {response.Code}.", RetryDelay(response)),
            _ => new(AccountHealth.TransientFailure, $"X answered {response.Code}: {Detail(response)}", Options.DefaultRetryAfter),
        };
    }

    /// <summary>The user's own timeline since the earlier attempt started (GET /2/users/{id}/tweets with start_time).</summary>
    private async Task<PublishOutcome?> FindExistingAsync(SocialAccount account, string token, string text, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var start = since.AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var uri = new Uri(Options.X.BaseUrl, $"2/users/{Uri.EscapeDataString(account.AccountId)}/tweets?max_results=20&start_time={start}&tweet.fields=created_at");
        using var request = Request(HttpMethod.Get, uri, token);
        var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccess)
            return Classify(response, null, "look for an earlier attempt's post");
        foreach (var tweet in JsonNode.Parse(response.Body)?["data"]?.AsArray() ?? [])
        {
            if (SameText(text, (string?)tweet?["text"]) && (string?)tweet?["id"] is { } id)
                return Published(id, alreadyExisted: true);
        }
        return null;
    }

    private PublishOutcome Classify(NetworkResponse response, SocialPost? post, string step)
    {
        var detail = Detail(response);
        return response.Code switch
        {
            401 => new PublishOutcome.Reconnect($"X refused the token when trying to {step} (401): {detail}"),
            403 when detail.Contains("duplicate", StringComparison.OrdinalIgnoreCase)
                => new PublishOutcome.Rejected(post?.PreviousAttemptAt is null
                    ? $"X refused the post as a duplicate: {detail}"
                    : $"X refused the post as a duplicate; an earlier attempt of this touch most likely published it, but X does not say which post it is: {detail}"),
            403 => new PublishOutcome.Reconnect($"X denied permission to {step} (403): {detail}"),
            429 => new PublishOutcome.RetryLater(RetryDelay(response), $"X rate limit when trying to {step}."),
            >= 500 => new PublishOutcome.RetryLater(RetryDelay(response), $"X failed to {step} ({response.Code})."),
            _ => new PublishOutcome.Rejected($"X refused to {step} ({response.Code}): {detail}"),
        };
    }

    /// <summary>X v2 errors are problem details; older shapes carry an errors array.</summary>
    private static string Detail(NetworkResponse response)
    {
        try
        {
            var node = JsonNode.Parse(response.Body);
            var detail = (string?)node?["detail"] ?? (string?)node?["errors"]?[0]?["message"] ?? (string?)node?["title"];
            if (detail is not null)
                return Excerpt(detail);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return Excerpt(response.Body);
    }

    private static PublishOutcome.Published Published(string id, bool alreadyExisted) =>
        new(id, new Uri($"https://x.com/i/web/status/{id}"), alreadyExisted);
}
