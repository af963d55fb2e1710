namespace Tcma.Syndication;

/// <summary>
/// A partner's connected account. <see cref="AccountId"/> is what the network posts as: the author URN on
/// LinkedIn (urn:li:organization:… or urn:li:person:…), the numeric user id on X, the Page id on Facebook.
/// <see cref="ProtectedToken"/> is the output of <see cref="SocialTokenProtector"/>, never the raw token.
/// </summary>
public sealed record SocialAccount(
    SocialNetwork Network,
    string AccountId,
    string DisplayName,
    string ProtectedToken,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<string> Scopes)
{
    /// <summary>Binds the encrypted token to this account, so a token copied onto another row fails to decrypt.</summary>
    public string TokenBinding => TokenBindingFor(Network, AccountId);

    public static string TokenBindingFor(SocialNetwork network, string accountId) => $"{network}:{accountId}";

    // The protected token is ciphertext, but it has no business in logs either.
    public override string ToString() => $"{Network} account {AccountId} ({DisplayName})";
}

public sealed record SocialImage(ReadOnlyMemory<byte> Bytes)
{
    /// <summary>PNG or JPEG by magic number; anything else is refused before any network is called.</summary>
    public string? ContentType =>
        Bytes.Span is [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] ? "image/png"
        : Bytes.Span is [0xFF, 0xD8, 0xFF, ..] ? "image/jpeg"
        : null;

    public string FileName => ContentType == "image/png" ? "image.png" : "image.jpg";
}

/// <summary>
/// One social touch. <see cref="IdempotencyKey"/> is our touch id. <see cref="PreviousAttemptAt"/> is set by the
/// caller when an earlier attempt for this key started (recorded before calling) and its outcome was never
/// recorded: the connector then looks for a post it may already have made since that instant before posting again.
/// </summary>
public sealed record SocialPost(
    string IdempotencyKey,
    string Text,
    SocialImage? Image = null,
    DateTimeOffset? PreviousAttemptAt = null);

public abstract record PublishOutcome
{
    private PublishOutcome() { }

    /// <param name="AlreadyExisted">True when a retry found the post an earlier attempt made, so nothing new was posted.</param>
    public sealed record Published(string PostId, Uri Url, bool AlreadyExisted = false) : PublishOutcome;

    /// <summary>Transient: rate limit, 5xx, timeout or unknown outcome. Try again after <paramref name="After"/>.</summary>
    public sealed record RetryLater(TimeSpan After, string Reason) : PublishOutcome;

    /// <summary>The token is expired, revoked, undecryptable or lacks a permission: the partner must reconnect.</summary>
    public sealed record Reconnect(string Reason) : PublishOutcome;

    /// <summary>The network refuses this content (duplicate, too long, bad image); retrying will not help.</summary>
    public sealed record Rejected(string Reason) : PublishOutcome;
}

public enum AccountHealth { Healthy, ReconnectNeeded, TransientFailure }

public sealed record AccountCheck(AccountHealth Health, string? Reason = null, TimeSpan? RetryAfter = null)
{
    public static readonly AccountCheck Healthy = new(AccountHealth.Healthy);
}

public interface ISocialConnector
{
    SocialNetwork Network { get; }

    Task<PublishOutcome> PublishAsync(SocialAccount account, SocialPost post, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the network whether the token still works, ahead of the due time. <paramref name="neededUntil"/> is the
    /// due time of the next touch: a token that will have expired by then needs a reconnect now, not a failure later.
    /// </summary>
    Task<AccountCheck> CheckAccountAsync(SocialAccount account, DateTimeOffset? neededUntil, CancellationToken cancellationToken);
}
