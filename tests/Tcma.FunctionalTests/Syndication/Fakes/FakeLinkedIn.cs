using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Tcma.FunctionalTests.Syndication.Fakes;

/// <summary>LinkedIn's versioned REST API: Images API upload, Posts API create and find-by-author, /v2/userinfo.</summary>
public sealed class FakeLinkedIn(TimeProvider clock, string authorUrn = "urn:li:organization:5515715") : FakeSocialApi(clock, authorUrn)
{
    private readonly ConcurrentDictionary<string, byte[]?> images = new();

    /// <summary>Commentary exactly as LinkedIn received it, by post URN.</summary>
    public ConcurrentDictionary<string, string> Commentary { get; } = new();

    /// <summary>The author finder does not list new posts yet, as a search index that lags behind writes.</summary>
    public bool FinderLags { get; set; }

    protected override async Task<bool> HandleOAuthAsync(HttpContext context, RecordedRequest request)
    {
        switch (request.Method, request.Path)
        {
            case ("GET", "/oauth/v2/authorization"):
                await AuthorizeAsync(context, "error=user_cancelled_authorize&error_description=The+user+cancelled+the+authorization");
                return true;
            case ("POST", "/oauth/v2/accessToken"):
            {
                if (TokenEndpointFails) return await ServerErrorJsonAsync(context);
                var form = request.Form!;
                var good = form["client_id"] == ClientId && form["client_secret"] == ClientSecret && (form["grant_type"].ToString() switch
                {
                    "authorization_code" => RedeemCode(form["code"], form["redirect_uri"], null),
                    "refresh_token" => RedeemRefresh(form["refresh_token"]),
                    _ => false,
                });
                if (!good)
                {
                    context.Response.StatusCode = 400;
                    await context.Response.WriteAsJsonAsync(new { error = "invalid_request", error_description = "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired." });
                    return true;
                }
                await context.Response.WriteAsJsonAsync(new { access_token = ValidToken, expires_in = 5184000, refresh_token = RefreshToken, refresh_token_expires_in = 31536000, scope = "email,openid,profile,w_member_social" });
                return true;
            }
        }
        return false;
    }

    protected override async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var upload = request.Path.StartsWith("/dms-uploads/", StringComparison.Ordinal);
        if (!Authorized(request))
        {
            await Error(context, 401, "REVOKED_ACCESS_TOKEN", EchoTokenInErrors
                ? $"The token {PresentedToken(request)} used in the request has been revoked by the user"
                : "The token used in the request has been revoked by the user");
            return;
        }
        if (!upload && request.Path.StartsWith("/rest/", StringComparison.Ordinal)
            && (!request.Headers.TryGetValue("LinkedIn-Version", out var version) || version.Length != 6
                || !request.Headers.TryGetValue("X-Restli-Protocol-Version", out var restli) || restli != "2.0.0"))
        {
            await Error(context, 400, "VERSION_MISSING", "A version must be present. Please specify a version by adding the LinkedIn-Version header.");
            return;
        }

        switch (request.Method, request.Path)
        {
            case ("POST", "/rest/images") when request.Query == "?action=initializeUpload":
            {
                var owner = (string?)JsonNode.Parse(request.Body)?["initializeUploadRequest"]?["owner"];
                if (owner != AccountId) { await Error(context, 403, "ACCESS_DENIED", "Not enough permissions to upload for this owner"); return; }
                var id = NewId();
                images[$"urn:li:image:C{id}"] = null;
                await context.Response.WriteAsJsonAsync(new
                {
                    value = new
                    {
                        uploadUrlExpiresAt = Clock.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds(),
                        uploadUrl = new Uri(BaseUrl, $"dms-uploads/C{id}?ca=vector_feedshare").ToString(),
                        image = $"urn:li:image:C{id}",
                    },
                });
                return;
            }
            case ("PUT", var path) when upload:
            {
                var urn = "urn:li:image:" + path["/dms-uploads/".Length..];
                if (!images.ContainsKey(urn)) { context.Response.StatusCode = 404; return; }
                images[urn] = request.Body;
                context.Response.StatusCode = 201;
                return;
            }
            case ("POST", "/rest/posts"):
                await CreatePostAsync(context, request);
                return;
            case ("GET", "/rest/posts"):
            {
                var query = context.Request.Query;
                if (query["q"] != "author" || query["author"] != AccountId) { await Error(context, 400, "ILLEGAL_ARGUMENT", "Invalid finder"); return; }
                var elements = Posts.Where(_ => !FinderLags).OrderByDescending(p => p.CreatedAt).Select(p => new
                {
                    id = p.Id,
                    author = p.AuthorId,
                    commentary = Commentary[p.Id],
                    createdAt = p.CreatedAt.ToUnixTimeMilliseconds(),
                    publishedAt = p.CreatedAt.ToUnixTimeMilliseconds(),
                    lifecycleState = "PUBLISHED",
                });
                await context.Response.WriteAsJsonAsync(new { paging = new { start = 0, count = 20 }, elements });
                return;
            }
            case ("GET", "/v2/userinfo"):
                await context.Response.WriteAsJsonAsync(new { sub = AccountId.StartsWith("urn:li:person:", StringComparison.Ordinal) ? AccountId["urn:li:person:".Length..] : "782bbtaQ", name = "Partner Admin", email_verified = true });
                return;
        }
        context.Response.StatusCode = 404;
    }

    private async Task CreatePostAsync(HttpContext context, RecordedRequest request)
    {
        var body = JsonNode.Parse(request.Body)!;
        string? Field(string name) => (string?)body[name];
        if (Field("author") != AccountId || Field("commentary") is null || Field("visibility") != "PUBLIC"
            || (string?)body["distribution"]?["feedDistribution"] != "MAIN_FEED" || Field("lifecycleState") != "PUBLISHED")
        {
            await Error(context, 422, "UNPROCESSABLE_ENTITY", "ERROR :: /author :: field is required but not found and has no default value");
            return;
        }
        var mediaId = (string?)body["content"]?["media"]?["id"];
        byte[]? image = null;
        if (mediaId is not null && (!images.TryGetValue(mediaId, out image) || image is null))
        {
            await Error(context, 422, "UNPROCESSABLE_ENTITY", $"Media {mediaId} is not uploaded");
            return;
        }
        var commentary = Field("commentary")!;
        FakePost Create()
        {
            var post = AddPost(commentary, image, "urn:li:share:" + NewId());
            Commentary[post.Id] = commentary;
            return post;
        }
        if (await ApplyFailureAsync(context, () => Create()))
            return;
        if (PostWithText(commentary) is { } existing)
        {
            await Error(context, 422, "DUPLICATE_POST", $"Content is a duplicate of {existing.Id}");
            return;
        }
        var created = Create();
        context.Response.StatusCode = 201;
        context.Response.Headers["x-restli-id"] = created.Id;
    }

    protected override bool IsCheck(RecordedRequest request) => request.Path == "/v2/userinfo";

    protected override Task RateLimitedAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = ((int)RateLimitWait.TotalSeconds).ToString();
        return Error(context, 429, "TOO_MANY_REQUESTS", "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.");
    }

    protected override Task ServerErrorAsync(HttpContext context) => Error(context, 500, "INTERNAL_SERVER_ERROR", "Internal Server Error");

    private static Task Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { status, code, message, serviceErrorCode = status == 401 ? 65601 : 100 });
    }
}
