using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tcma.FunctionalTests.Syndication.Fakes;

/// <summary>What a fake can be told to do to the next "create post" request.</summary>
public enum FakeFailure
{
    RateLimited,
    ServerError,
    /// <summary>Creates the post, then drops the connection before answering: the network has it, we do not know.</summary>
    AcceptThenDropConnection,
    /// <summary>Never answers.</summary>
    Hang,
}

public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body, string? ContentType, IFormCollection? Form);

public sealed record FakePost(string Id, string AuthorId, string Text, byte[]? Image, DateTimeOffset CreatedAt);

/// <summary>
/// A loopback Kestrel app speaking one network's API shape. It records every request, checks the bearer token,
/// keeps the posts it accepted, and fails on demand the way that network fails.
/// </summary>
public abstract class FakeSocialApi : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentQueue<FakeFailure> failures = new();
    private readonly ConcurrentQueue<FakeFailure> checkFailures = new();
    private readonly List<FakePost> posts = [];
    private WebApplication? app;
    private int nextId = 1000;

    protected FakeSocialApi(TimeProvider clock, string accountId)
    {
        Clock = clock;
        AccountId = accountId;
    }

    public TimeProvider Clock { get; }
    public string AccountId { get; }
    public string ValidToken { get; } = "tok_" + Guid.NewGuid().ToString("N");
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The token stops working, as when the partner revokes the app or the token expires.</summary>
    public bool TokenRevoked { get; set; }

    /// <summary>Error messages quote the token they were given, as some real APIs do.</summary>
    public bool EchoTokenInErrors { get; set; }

    /// <summary>The wait announced with a rate limit, in the network's own header.</summary>
    public TimeSpan RateLimitWait { get; set; } = TimeSpan.FromSeconds(90);

    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    public IReadOnlyList<FakePost> Posts { get { lock (posts) return [.. posts]; } }

    public void FailNextCreate(FakeFailure failure) => failures.Enqueue(failure);

    /// <summary>The next token check (userinfo, users/me, /me) is rate-limited or fails with a 5xx.</summary>
    public void FailNextCheck(FakeFailure failure) => checkFailures.Enqueue(failure);

    public async Task<FakeSocialApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Fake" });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.Run(async context =>
        {
            var recorded = await RecordAsync(context.Request);
            requests.Enqueue(recorded);
            if (await HandleOAuthAsync(context, recorded))
                return;
            if (IsCheck(recorded) && checkFailures.TryDequeue(out var failure))
                await (failure == FakeFailure.RateLimited ? RateLimitedAsync(context) : ServerErrorAsync(context));
            else
                await HandleAsync(context, recorded);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return this;
    }

    protected abstract Task HandleAsync(HttpContext context, RecordedRequest request);

    /// <summary>The network's consent page and token endpoint; true when the request was one of them.</summary>
    protected virtual Task<bool> HandleOAuthAsync(HttpContext context, RecordedRequest request) => Task.FromResult(false);

    public string ClientId { get; } = "client-" + Guid.NewGuid().ToString("N")[..10];
    public string ClientSecret { get; } = "secret-" + Guid.NewGuid().ToString("N");
    public string RefreshToken { get; } = "refresh_" + Guid.NewGuid().ToString("N");

    /// <summary>The partner clicks "Cancel" on the consent page.</summary>
    public bool DenyConsent { get; set; }

    /// <summary>The token endpoint answers 5xx.</summary>
    public bool TokenEndpointFails { get; set; }

    /// <summary>The refresh token was revoked: a refresh gets the network's invalid-grant answer.</summary>
    public bool RefreshRevoked { get; set; }

    /// <summary>How many times the refresh token was redeemed.</summary>
    public int RefreshCount => refreshes;

    private readonly ConcurrentDictionary<string, (string RedirectUri, string? Challenge)> codes = new();
    private int refreshes;

    /// <summary>
    /// The consent page as the partner would leave it: approve (a one-time code) or cancel (an error), both sent back
    /// to redirect_uri with the state unchanged. <paramref name="deniedQuery"/> is the network's own cancel answer.
    /// </summary>
    protected Task AuthorizeAsync(HttpContext context, string deniedQuery)
    {
        var query = context.Request.Query;
        if (query["client_id"] != ClientId || query["response_type"] != "code" || string.IsNullOrEmpty(query["redirect_uri"]))
        {
            context.Response.StatusCode = 400;
            return context.Response.WriteAsync("invalid client or redirect_uri");
        }
        var redirect = query["redirect_uri"].ToString();
        var state = Uri.EscapeDataString(query["state"].ToString());
        var separator = redirect.Contains('?') ? "&" : "?";
        if (DenyConsent)
        {
            context.Response.Redirect($"{redirect}{separator}{deniedQuery}&state={state}");
            return Task.CompletedTask;
        }
        var code = "code_" + Guid.NewGuid().ToString("N");
        codes[code] = (redirect, query["code_challenge"].ToString() is { Length: > 0 } c ? c : null);
        context.Response.Redirect($"{redirect}{separator}code={code}&state={state}");
        return Task.CompletedTask;
    }

    /// <summary>A code is good once, for the redirect_uri it was issued to, and (with PKCE) for the verifier behind its challenge.</summary>
    protected bool RedeemCode(string? code, string? redirectUri, string? verifier)
    {
        if (code is null || !codes.TryRemove(code, out var issued) || issued.RedirectUri != redirectUri) return false;
        if (issued.Challenge is null) return true;
        if (verifier is null) return false;
        var challenge = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
        return challenge == issued.Challenge;
    }

    protected bool RedeemRefresh(string? token)
    {
        if (RefreshRevoked || token != RefreshToken) return false;
        Interlocked.Increment(ref refreshes);
        return true;
    }

    protected static async Task<bool> ServerErrorJsonAsync(HttpContext context)
    {
        context.Response.StatusCode = 503;
        await context.Response.WriteAsync("upstream unavailable");
        return true;
    }

    protected abstract bool IsCheck(RecordedRequest request);

    /// <summary>The network's rate-limit answer, announcing <see cref="RateLimitWait"/> its own way.</summary>
    protected abstract Task RateLimitedAsync(HttpContext context);

    protected abstract Task ServerErrorAsync(HttpContext context);

    protected bool Authorized(RecordedRequest request) =>
        !TokenRevoked && request.Headers.TryGetValue("Authorization", out var value) && value == "Bearer " + ValidToken;

    protected string PresentedToken(RecordedRequest request) =>
        request.Headers.TryGetValue("Authorization", out var value) ? value.Replace("Bearer ", "") : "";

    protected string NewId() => Interlocked.Increment(ref nextId).ToString();

    protected FakePost AddPost(string text, byte[]? image, string? id = null)
    {
        var post = new FakePost(id ?? NewId(), AccountId, text, image, Clock.GetUtcNow());
        lock (posts) posts.Add(post);
        return post;
    }

    protected FakePost? PostWithText(string text) { lock (posts) return posts.LastOrDefault(p => p.Text == text); }

    /// <summary>
    /// Applies a queued failure to a create-post request. Returns true when the response is already dealt with;
    /// <paramref name="create"/> runs for AcceptThenDropConnection, which keeps the post and then drops the line.
    /// </summary>
    protected async Task<bool> ApplyFailureAsync(HttpContext context, Action create)
    {
        if (!failures.TryDequeue(out var failure))
            return false;
        switch (failure)
        {
            case FakeFailure.RateLimited:
                await RateLimitedAsync(context);
                break;
            case FakeFailure.ServerError:
                await ServerErrorAsync(context);
                break;
            case FakeFailure.AcceptThenDropConnection:
                create();
                context.Abort();
                break;
            case FakeFailure.Hang:
                try { await Task.Delay(Timeout.Infinite, context.RequestAborted); }
                catch (OperationCanceledException) { }
                break;
        }
        return true;
    }

    private static async Task<RecordedRequest> RecordAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        request.Body.Position = 0;
        IFormCollection? form = null;
        if (request.HasFormContentType)
        {
            form = await request.ReadFormAsync();
            request.Body.Position = 0;
        }
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", headers, buffer.ToArray(), request.ContentType, form);
    }

    protected static async Task<byte[]> ReadFileAsync(IFormFile file)
    {
        using var stream = new MemoryStream();
        await file.CopyToAsync(stream);
        return stream.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
            await app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
