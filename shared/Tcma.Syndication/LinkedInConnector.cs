using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tcma.Syndication;

/// <summary>
/// LinkedIn Community Management (versioned REST) API: Images API upload, then the Posts API. The account id is the
/// author URN: urn:li:organization:{id} for a company page, urn:li:person:{id} for a member.
/// </summary>
public sealed partial class LinkedInConnector(
    HttpClient http, IOptions<SyndicationOptions> options, SocialTokenProtector protector, TimeProvider time, ILogger<LinkedInConnector> logger)
    : SocialConnectorBase(http, options, protector, time, logger)
{
    private LinkedInOptions LinkedIn => Options.LinkedIn;

    public override SocialNetwork Network => SocialNetwork.LinkedIn;

    protected override int MaxTextLength => 3_000;

    // LinkedIn limits images by pixel count, not bytes; this cap keeps a runaway asset from being uploaded at all.
    protected override long MaxImageBytes => 10 * 1024 * 1024;

    protected override IReadOnlyList<string> RequiredScopes(SocialAccount account) =>
        account.AccountId.StartsWith("urn:li:organization:", StringComparison.Ordinal) ? ["w_organization_social"] : ["w_member_social"];

    protected override async Task<PublishOutcome> PublishCoreAsync(SocialAccount account, string token, SocialPost post, CancellationToken cancellationToken)
    {
        var commentary = ToLittleText(post.Text);
        if (post.PreviousAttemptAt is { } since)
        {
            var existing = await FindExistingAsync(account, token, commentary, since, cancellationToken);
            if (existing is not null)
                return existing;
        }

        string? imageUrn = null;
        if (post.Image is { } image)
        {
            using var init = Rest(HttpMethod.Post, "rest/images?action=initializeUpload", token);
            init.Content = JsonContent.Create(new JsonObject { ["initializeUploadRequest"] = new JsonObject { ["owner"] = account.AccountId } });
            var initialized = await SendAsync(init, cancellationToken);
            if (!initialized.IsSuccess)
                return Classify(initialized, post, "initialise the image upload");
            var value = JsonNode.Parse(initialized.Body)?["value"];
            imageUrn = (string?)value?["image"];
            if (imageUrn is null || !Uri.TryCreate((string?)value?["uploadUrl"], UriKind.Absolute, out var uploadUrl))
                return new PublishOutcome.RetryLater(Options.DefaultRetryAfter, "LinkedIn's image upload answer had no uploadUrl or image URN.");

            using var upload = new HttpRequestMessage(HttpMethod.Put, uploadUrl) { Content = new ReadOnlyMemoryContent(image.Bytes) };
            upload.Content.Headers.ContentType = new(image.ContentType!);
            // The upload URL comes from LinkedIn's answer: the token only goes to LinkedIn's own hosts.
            if (IsLinkedInHost(uploadUrl))
                upload.Headers.Authorization = new("Bearer", token);
            var uploaded = await SendAsync(upload, cancellationToken);
            if (!uploaded.IsSuccess)
                return Classify(uploaded, post, "upload the image");
        }

        var body = new JsonObject
        {
            ["author"] = account.AccountId,
            ["commentary"] = commentary,
            ["visibility"] = "PUBLIC",
            ["distribution"] = new JsonObject
            {
                ["feedDistribution"] = "MAIN_FEED",
                ["targetEntities"] = new JsonArray(),
                ["thirdPartyDistributionChannels"] = new JsonArray(),
            },
            ["lifecycleState"] = "PUBLISHED",
            ["isReshareDisabledByAuthor"] = false,
        };
        if (imageUrn is not null)
            body["content"] = new JsonObject { ["media"] = new JsonObject { ["id"] = imageUrn } };

        using var create = Rest(HttpMethod.Post, "rest/posts", token);
        create.Content = JsonContent.Create(body);
        var created = await SendAsync(create, cancellationToken);
        if (!created.IsSuccess)
            return Classify(created, post, "create the post");
        var postUrn = created.Headers.TryGetValues("x-restli-id", out var ids) ? ids.FirstOrDefault() : null;
        if (string.IsNullOrEmpty(postUrn))
            // Accepted but unnamed: retrying would duplicate, so report it and let the lookup on retry find it.
            return new PublishOutcome.RetryLater(Options.DefaultRetryAfter, "LinkedIn accepted the post but returned no x-restli-id.");
        return Published(postUrn, alreadyExisted: false);
    }

    protected override async Task<AccountCheck> CheckCoreAsync(SocialAccount account, string token, CancellationToken cancellationToken)
    {
        using var request = Rest(HttpMethod.Get, "v2/userinfo", token);
        var response = await SendAsync(request, cancellationToken);
        return response.Code switch
        {
            >= 200 and < 300 => AccountCheck.Healthy,
            401 => new(AccountHealth.ReconnectNeeded, $"LinkedIn refused the token (401): {Excerpt(response.Body)}"),
            403 => new(AccountHealth.ReconnectNeeded, $"LinkedIn denied access (403): {Excerpt(response.Body)}"),
            429 or >= 500 => new(AccountHealth.TransientFailure, $"LinkedIn answered {response.Code}.", RetryDelay(response)),
            _ => new(AccountHealth.TransientFailure, $"LinkedIn answered {response.Code}: {Excerpt(response.Body)}", Options.DefaultRetryAfter),
        };
    }

    /// <summary>
    /// Recent posts by the author (Posts API, q=author), newest first, for one with our text made since the earlier
    /// attempt started. A lookup that fails is not a licence to post: the outcome stays RetryLater.
    /// </summary>
    private async Task<PublishOutcome?> FindExistingAsync(SocialAccount account, string token, string commentary, DateTimeOffset since, CancellationToken cancellationToken)
    {
        using var request = Rest(HttpMethod.Get, $"rest/posts?author={Uri.EscapeDataString(account.AccountId)}&q=author&count=20&sortBy=LAST_MODIFIED", token);
        var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccess)
            return Classify(response, null, "look for an earlier attempt's post");
        var threshold = since.AddMinutes(-1).ToUnixTimeMilliseconds();
        foreach (var element in JsonNode.Parse(response.Body)?["elements"]?.AsArray() ?? [])
        {
            var createdAt = (long?)element?["createdAt"] ?? (long?)element?["publishedAt"] ?? 0;
            if (createdAt >= threshold && SameText(commentary, (string?)element?["commentary"]) && (string?)element?["id"] is { } id)
                return Published(id, alreadyExisted: true);
        }
        return null;
    }

    private PublishOutcome Classify(NetworkResponse response, SocialPost? post, string step)
    {
        var message = Excerpt(response.Body);
        switch (response.Code)
        {
            case 401:
                return new PublishOutcome.Reconnect($"LinkedIn refused the token when trying to {step} (401): {message}");
            case 403:
                return new PublishOutcome.Reconnect($"LinkedIn denied permission to {step} (403): {message}");
            case 429:
                return new PublishOutcome.RetryLater(RetryDelay(response), $"LinkedIn rate limit when trying to {step}.");
            case >= 500:
                return new PublishOutcome.RetryLater(RetryDelay(response), $"LinkedIn failed to {step} ({response.Code}).");
        }
        var duplicateOf = DuplicateOf().Match(response.Body);
        if (message.Contains("duplicate", StringComparison.OrdinalIgnoreCase))
        {
            // A duplicate found while retrying is our own earlier post: LinkedIn names it in the error.
            if (post?.PreviousAttemptAt is not null && duplicateOf.Success)
                return Published(duplicateOf.Value, alreadyExisted: true);
            return new PublishOutcome.Rejected($"LinkedIn refused the post as a duplicate: {message}");
        }
        return new PublishOutcome.Rejected($"LinkedIn refused to {step} ({response.Code}): {message}");
    }

    private static PublishOutcome.Published Published(string urn, bool alreadyExisted) =>
        new(urn, new Uri($"https://www.linkedin.com/feed/update/{urn}/"), alreadyExisted);

    private HttpRequestMessage Rest(HttpMethod method, string relative, string token)
    {
        var request = Request(method, new Uri(LinkedIn.BaseUrl, relative), token);
        request.Headers.Add("LinkedIn-Version", LinkedIn.Version);
        request.Headers.Add("X-Restli-Protocol-Version", "2.0.0");
        return request;
    }

    private bool IsLinkedInHost(Uri uri) =>
        uri.Host.Equals(LinkedIn.BaseUrl.Host, StringComparison.OrdinalIgnoreCase)
        || uri.Host.EndsWith(".linkedin.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Commentary is "little text": unescaped reserved characters make LinkedIn cut or mangle the post. Hashtags are
    /// kept clickable with the hashtag template; everything else reserved is escaped.
    /// </summary>
    internal static string ToLittleText(string text)
    {
        var escaped = Reserved().Replace(text, @"\$0");
        return Hashtag().Replace(escaped, m => $"{{hashtag|\\#|{m.Groups[1].Value}}}");
    }

    [GeneratedRegex(@"[\\|{}@\[\]()<>#*_~]")]
    private static partial Regex Reserved();

    [GeneratedRegex(@"(?<=^|\s)\\#(\w+)")]
    private static partial Regex Hashtag();

    [GeneratedRegex(@"urn:li:(?:share|ugcPost):\d+")]
    private static partial Regex DuplicateOf();
}
