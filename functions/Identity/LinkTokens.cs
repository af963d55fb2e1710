using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Tcma.Domain.Identity;
using Tcma.Storage.Identity;

namespace Tcma.Functions.Identity;

/// <summary>Signing keys for emailed links: <c>Tokens:Keys:&lt;kid&gt;</c> = Base64 secret (32+ bytes), <c>Tokens:ActiveKey</c> = the kid that signs.</summary>
public sealed class TokenOptions
{
    public const string Section = "Tokens";
    public Dictionary<string, string> Keys { get; set; } = [];
    public string? ActiveKey { get; set; }

    internal TokenKeys ToKeys() => new(Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value)), ActiveKey ?? "");

    internal static bool IsValid(TokenOptions o)
    {
        try
        {
            _ = o.ToKeys();
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            return false;
        }
    }
}

/// <summary>The one service behind every emailed link: create, verify, and use once where the action demands it.</summary>
public sealed class LinkTokens(IOptions<TokenOptions> options, TokenUseStore uses, TimeProvider clock, ILogger<LinkTokens> logger)
{
    private readonly TokenSigner signer = new(options.Value.ToKeys());

    public string Create(string purpose, string subject, string vendorId, TimeSpan lifetime) =>
        signer.Sign(purpose, subject, vendorId, clock.GetUtcNow() + lifetime);

    /// <summary>A token whose nonce the caller chooses: a session's id, an invitation's id, so the token names that row.</summary>
    public string Create(string purpose, string subject, string vendorId, DateTimeOffset expiresAt, string nonce) =>
        signer.Sign(purpose, subject, vendorId, expiresAt, nonce);

    public TokenVerification Verify(string? token, string purpose)
    {
        var result = signer.Verify(token, purpose, clock.GetUtcNow());
        if (!result.IsValid) logger.LogInformation("Link token refused for purpose {Purpose}: {Reason}", purpose, result.Failure);
        return result;
    }

    /// <summary>Verifies and marks the token used; a second use fails with <see cref="TokenFailure.AlreadyUsed"/>.</summary>
    public async Task<TokenVerification> ConsumeAsync(string? token, string purpose, CancellationToken ct = default)
    {
        var result = Verify(token, purpose);
        if (!result.IsValid) return result;
        if (await uses.TryConsumeAsync(result.Token!, clock.GetUtcNow(), ct)) return result;
        logger.LogInformation("Link token for purpose {Purpose} used again", purpose);
        return TokenVerification.Fail(TokenFailure.AlreadyUsed);
    }

    /// <summary>The token's purpose, unverified, so the partner scheme knows which purpose to verify against.</summary>
    internal static string? PeekPurpose(string? token) => TokenSigner.PeekPurpose(token);

    internal static void GenerateDevelopmentKey(TokenOptions o)
    {
        // A per-process key: links made in one dev run stop working after a restart, which is harmless locally.
        if (o.Keys.Count > 0) return;
        o.Keys["dev"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        o.ActiveKey = "dev";
    }
}
