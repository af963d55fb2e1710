using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Tcma.FunctionalTests.Syndication.Fakes;

/// <summary>X API v2: POST /2/media/upload (multipart), POST /2/tweets, GET /2/users/{id}/tweets, GET /2/users/me.</summary>
public sealed class FakeX(TimeProvider clock, string userId = "2244994945") : FakeSocialApi(clock, userId)
{
    private readonly ConcurrentDictionary<string, byte[]> media = new();

    /// <summary>Media category given with each upload, by media id.</summary>
    public ConcurrentDictionary<string, string> MediaCategories { get; } = new();

    protected override async Task<bool> HandleOAuthAsync(HttpContext context, RecordedRequest request)
    {
        switch (request.Method, request.Path)
        {
            case ("GET", "/i/oauth2/authorize"):
                if (context.Request.Query["code_challenge_method"] != "S256" || string.IsNullOrEmpty(context.Request.Query["code_challenge"]))
                {
                    context.Response.StatusCode = 400;
                    await context.Response.WriteAsync("Missing PKCE code_challenge");
                    return true;
                }
                await AuthorizeAsync(context, "error=access_denied");
                return true;
            case ("POST", "/2/oauth2/token"):
            {
                if (TokenEndpointFails) return await ServerErrorJsonAsync(context);
                var form = request.Form!;
                var basic = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
                var good = request.Headers.TryGetValue("Authorization", out var auth) && auth == basic && (form["grant_type"].ToString() switch
                {
                    "authorization_code" => RedeemCode(form["code"], form["redirect_uri"], form["code_verifier"]),
                    "refresh_token" => RedeemRefresh(form["refresh_token"]),
                    _ => false,
                });
                if (!good)
                {
                    context.Response.StatusCode = 400;
                    await context.Response.WriteAsJsonAsync(new { error = "invalid_request", error_description = "Value passed for the authorization code was invalid." });
                    return true;
                }
                await context.Response.WriteAsJsonAsync(new { token_type = "bearer", expires_in = 7200, access_token = ValidToken, scope = "tweet.write users.read tweet.read media.write offline.access", refresh_token = RefreshToken });
                return true;
            }
        }
        return false;
    }

    protected override async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        if (!Authorized(request))
        {
            await Problem(context, 401, "Unauthorized", EchoTokenInErrors ? $"Unauthorized: {PresentedToken(request)}" : "Unauthorized");
            return;
        }
        switch (request.Method, request.Path)
        {
            case ("POST", "/2/media/upload"):
            {
                var file = request.Form?.Files["media"];
                if (file is null) { await Problem(context, 400, "Invalid Request", "One or more parameters to your request was invalid."); return; }
                var id = NewId() + "0000000000";
                media[id] = await ReadFileAsync(file);
                MediaCategories[id] = request.Form!["media_category"].ToString();
                await context.Response.WriteAsJsonAsync(new { data = new { id, media_key = "3_" + id, size = media[id].Length, expires_after_secs = 86400 } });
                return;
            }
            case ("POST", "/2/tweets"):
                await CreateAsync(context, request);
                return;
            case ("GET", "/2/users/me"):
                await context.Response.WriteAsJsonAsync(new { data = new { id = AccountId, name = "Partner", username = "partner" } });
                return;
            case ("GET", var path) when path == $"/2/users/{AccountId}/tweets":
            {
                var start = DateTimeOffset.Parse(context.Request.Query["start_time"]!, System.Globalization.CultureInfo.InvariantCulture);
                var data = Posts.Where(p => p.CreatedAt >= start).OrderByDescending(p => p.CreatedAt)
                    .Select(p => new { id = p.Id, text = Displayed(p), created_at = p.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'") }).ToList();
                if (data.Count == 0)
                    await context.Response.WriteAsJsonAsync(new { meta = new { result_count = 0 } });
                else
                    await context.Response.WriteAsJsonAsync(new { data, meta = new { result_count = data.Count, newest_id = data[0].id } });
                return;
            }
        }
        context.Response.StatusCode = 404;
    }

    private async Task CreateAsync(HttpContext context, RecordedRequest request)
    {
        var body = JsonNode.Parse(request.Body)!;
        var text = (string?)body["text"] ?? "";
        var mediaIds = body["media"]?["media_ids"]?.AsArray().Select(n => (string)n!).ToList() ?? [];
        if (mediaIds.Any(id => !media.ContainsKey(id)))
        {
            await Problem(context, 400, "Invalid Request", "Your media IDs are invalid.");
            return;
        }
        var image = mediaIds.Count > 0 ? media[mediaIds[0]] : null;
        if (await ApplyFailureAsync(context, () => AddPost(text, image)))
            return;
        if (PostWithText(text) is not null)
        {
            await Problem(context, 403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.");
            return;
        }
        var post = AddPost(text, image);
        context.Response.StatusCode = 201;
        await context.Response.WriteAsJsonAsync(new { data = new { id = post.Id, text = Displayed(post), edit_history_tweet_ids = new[] { post.Id } } });
    }

    /// <summary>X shows links shortened to t.co and appends a link to attached media.</summary>
    private static string Displayed(FakePost post)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(post.Text, @"https?://\S+", "https://t.co/AbCdEf1234");
        return post.Image is null ? text : text + " https://t.co/MediaLink9";
    }

    protected override bool IsCheck(RecordedRequest request) => request.Path == "/2/users/me";

    protected override Task RateLimitedAsync(HttpContext context)
    {
        context.Response.Headers["x-rate-limit-limit"] = "100";
        context.Response.Headers["x-rate-limit-remaining"] = "0";
        context.Response.Headers["x-rate-limit-reset"] = Clock.GetUtcNow().Add(RateLimitWait).ToUnixTimeSeconds().ToString();
        return Problem(context, 429, "Too Many Requests", "Too Many Requests");
    }

    protected override Task ServerErrorAsync(HttpContext context) => Problem(context, 503, "Service Unavailable", "Service Unavailable");

    private static Task Problem(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { title, detail, type = "about:blank", status });
    }
}
