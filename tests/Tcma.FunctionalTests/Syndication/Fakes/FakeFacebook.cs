using Microsoft.AspNetCore.Http;

namespace Tcma.FunctionalTests.Syndication.Fakes;

/// <summary>Graph API for a Page: /{page-id}/photos, /{page-id}/feed, /{page-id}/published_posts, /me.</summary>
public sealed class FakeFacebook(TimeProvider clock, string pageId = "104567890123456", string graphVersion = "v25.0") : FakeSocialApi(clock, pageId)
{
    public string GraphVersion { get; } = graphVersion;

    private readonly string shortUserToken = "EAAshort" + Guid.NewGuid().ToString("N");
    private readonly string longUserToken = "EAAlong" + Guid.NewGuid().ToString("N");

    /// <summary>The partner shares no Page at consent.</summary>
    public bool NoPages { get; set; }

    protected override async Task<bool> HandleOAuthAsync(HttpContext context, RecordedRequest request)
    {
        var prefix = $"/{GraphVersion}/";
        if (!request.Path.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var userToken = request.Headers.TryGetValue("Authorization", out var auth) && auth == "Bearer " + longUserToken;
        switch (request.Method, request.Path[prefix.Length..])
        {
            case ("GET", "dialog/oauth"):
                await AuthorizeAsync(context, "error=access_denied&error_code=200&error_description=Permissions+error&error_reason=user_denied");
                return true;
            case ("POST", "oauth/access_token"):
            {
                if (TokenEndpointFails) return await ServerErrorJsonAsync(context);
                var form = request.Form!;
                if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
                {
                    await Error(context, 400, 101, null, "Error validating application. Invalid application ID.");
                    return true;
                }
                if (form["grant_type"] == "fb_exchange_token")
                {
                    if (form["fb_exchange_token"] != shortUserToken) { await Error(context, 400, 190, null, "Invalid OAuth access token."); return true; }
                    await context.Response.WriteAsJsonAsync(new { access_token = longUserToken, token_type = "bearer", expires_in = 5183944 });
                    return true;
                }
                if (!RedeemCode(form["code"], form["redirect_uri"], null))
                {
                    await Error(context, 400, 100, 36009, "This authorization code has been used.");
                    return true;
                }
                await context.Response.WriteAsJsonAsync(new { access_token = shortUserToken, token_type = "bearer", expires_in = 5400 });
                return true;
            }
            case ("GET", "me/permissions") when userToken:
                await context.Response.WriteAsJsonAsync(new
                {
                    data = new[]
                    {
                        new { permission = "pages_show_list", status = "granted" },
                        new { permission = "pages_manage_posts", status = "granted" },
                        new { permission = "pages_read_engagement", status = "granted" },
                        new { permission = "public_profile", status = "granted" },
                    },
                });
                return true;
            case ("GET", "me/accounts") when userToken:
                await context.Response.WriteAsJsonAsync(new
                {
                    data = NoPages ? [] : new[]
                    {
                        new { access_token = ValidToken, category = "Computers & Internet Website", name = "Northwind Partner Page", id = AccountId, tasks = new[] { "ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE" } },
                    },
                    paging = new { cursors = new { before = "QVFIUk", after = "QVFIUl" } },
                });
                return true;
        }
        return false;
    }

    protected override async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        if (!Authorized(request))
        {
            await Error(context, 400, 190, 463, EchoTokenInErrors
                ? $"Error validating access token {PresentedToken(request)}: Session has expired on Tuesday, 24-Nov-26 10:00:00 PST."
                : "Error validating access token: Session has expired on Tuesday, 24-Nov-26 10:00:00 PST.");
            return;
        }
        var prefix = $"/{GraphVersion}/";
        if (!request.Path.StartsWith(prefix, StringComparison.Ordinal))
        {
            await Error(context, 400, 2635, null, "Unknown or unsupported Graph API version.");
            return;
        }
        switch (request.Method, request.Path[prefix.Length..])
        {
            case ("POST", var edge) when edge == $"{AccountId}/photos":
            {
                var file = request.Form?.Files["source"];
                if (file is null || request.Form!["published"] != "true")
                {
                    await Error(context, 400, 324, null, "Requires upload file");
                    return;
                }
                var bytes = await ReadFileAsync(file);
                await CreateAsync(context, request.Form["caption"].ToString(), bytes, post => new { id = "photo" + post.Id, post_id = post.Id });
                return;
            }
            case ("POST", var edge) when edge == $"{AccountId}/feed":
                await CreateAsync(context, request.Form?["message"].ToString() ?? "", null, post => new { id = post.Id });
                return;
            case ("GET", var edge) when edge == $"{AccountId}/published_posts":
            {
                var since = DateTimeOffset.FromUnixTimeSeconds(long.Parse(context.Request.Query["since"]!));
                var data = Posts.Where(p => p.CreatedAt >= since).OrderByDescending(p => p.CreatedAt)
                    .Select(p => new { id = p.Id, message = p.Text, created_time = p.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss+0000") });
                await context.Response.WriteAsJsonAsync(new { data });
                return;
            }
            case ("GET", "me"):
                await context.Response.WriteAsJsonAsync(new { id = AccountId });
                return;
        }
        await Error(context, 400, 100, 33, "Unsupported request - method type");
    }

    private async Task CreateAsync(HttpContext context, string message, byte[]? image, Func<FakePost, object> answer)
    {
        string NewPostId() => $"{AccountId}_{NewId()}";
        if (await ApplyFailureAsync(context, () => AddPost(message, image, NewPostId())))
            return;
        if (PostWithText(message) is not null)
        {
            await Error(context, 400, 506, null, "Duplicate status message");
            return;
        }
        var post = AddPost(message, image, NewPostId());
        await context.Response.WriteAsJsonAsync(answer(post));
    }

    protected override bool IsCheck(RecordedRequest request) => request.Path == $"/{GraphVersion}/me";

    protected override Task RateLimitedAsync(HttpContext context)
    {
        var minutes = (int)RateLimitWait.TotalMinutes;
        context.Response.Headers["X-Business-Use-Case-Usage"] =
            $$"""{"{{AccountId}}":[{"type":"pages","call_count":100,"total_cputime":25,"total_time":25,"estimated_time_to_regain_access":{{minutes}}}]}""";
        return Error(context, 400, 80001, null, "There have been too many calls to this Page account. Wait a bit and try again.");
    }

    protected override Task ServerErrorAsync(HttpContext context) =>
        Error(context, 500, 2, null, "An unexpected error has occurred. Please retry your request later.", transient: true);

    private static Task Error(HttpContext context, int status, int code, int? subcode, string message, bool transient = false)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new
        {
            error = new { message, type = "OAuthException", code, error_subcode = subcode, is_transient = transient, fbtrace_id = "AbCdEfGhIjK" },
        });
    }
}
