using Tcma.Domain;
using Microsoft.Extensions.Options;
using Tcma.Email;
using Tcma.Email.Outbox;
using Tcma.Functions.Identity;
using Tcma.Storage.Partners;
using Tcma.Storage.Syndication;
using Tcma.Syndication;

namespace Tcma.Functions.Syndication;

/// <summary>Link purposes and lifetimes of the partner's social pages.</summary>
public static class SocialLinks
{
    /// <summary>The purpose of the link in a reconnect email; the launch link opens the page too.</summary>
    public const string Purpose = "social";

    public static readonly IReadOnlySet<string> AcceptedPurposes = new HashSet<string>(StringComparer.Ordinal) { Purpose, Tcma.Domain.Identity.TokenPurposes.Launch };

    public static readonly TimeSpan LinkLifetime = TimeSpan.FromDays(14);

    /// <summary>Long enough to sign in at the network and approve; the state is also single-use.</summary>
    public static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(15);

    public static string StatePurpose(SocialNetwork network) => $"social-connect-{network.ToString().ToLowerInvariant()}";

    public static string Slug(SocialNetwork network) => network.ToString().ToLowerInvariant();

    public static bool TryParse(string? slug, out SocialNetwork network)
    {
        foreach (var n in Enum.GetValues<SocialNetwork>())
            if (string.Equals(Slug(n), slug, StringComparison.Ordinal)) { network = n; return true; }
        network = default;
        return false;
    }

    /// <summary>The page, with the link for a partner who came by link; a signed-in partner's session needs none.</summary>
    public static string PageUrl(string? token) => string.IsNullOrEmpty(token) ? "/partner/social?" : "/partner/social?t=" + Uri.EscapeDataString(token);
}

/// <summary>
/// Turns a stored account into one the connectors can use: refreshes a token that would expire before it is needed
/// (X tokens live two hours, so every check and post of an X account relies on this), and keeps refresh tokens bound
/// to their account under their own binding so an access token and a refresh token can never be swapped.
/// </summary>
public sealed class SocialAccountAccess(SocialAccountStore store, SocialOAuthClient oauth, SocialTokenProtector protector, ILogger<SocialAccountAccess> logger)
{
    public static string RefreshBinding(SocialNetwork network, string accountId) => SocialAccount.TokenBindingFor(network, accountId) + ":refresh";

    public SocialAccountConnection Protect(SocialGrant grant) => new(
        grant.Network, grant.AccountId, grant.DisplayName,
        protector.Protect(grant.AccessToken, SocialAccount.TokenBindingFor(grant.Network, grant.AccountId)),
        grant.RefreshToken is null ? null : protector.Protect(grant.RefreshToken, RefreshBinding(grant.Network, grant.AccountId)),
        grant.ExpiresAt, grant.Scopes);

    public static SocialAccount ForConnector(StoredSocialAccount stored) =>
        new(stored.Network, stored.AccountId, stored.DisplayName, stored.ProtectedToken, stored.ExpiresAt, stored.Scopes);

    /// <summary>
    /// The account's tokens re-encrypted under the active key, or null when they already are (or cannot be read any
    /// more: the connector then asks for a reconnect). This is step 3 of key rotation: "re-encrypt on the next write".
    /// </summary>
    public static (string Token, string? RefreshToken)? Rotated(StoredSocialAccount stored, SocialTokenProtector protector)
    {
        if (!protector.NeedsRotation(stored.ProtectedToken) && (stored.ProtectedRefreshToken is null || !protector.NeedsRotation(stored.ProtectedRefreshToken)))
            return null;
        var binding = SocialAccount.TokenBindingFor(stored.Network, stored.AccountId);
        var refreshBinding = RefreshBinding(stored.Network, stored.AccountId);
        try
        {
            return (protector.Protect(protector.Unprotect(stored.ProtectedToken, binding), binding),
                stored.ProtectedRefreshToken is null ? null : protector.Protect(protector.Unprotect(stored.ProtectedRefreshToken, refreshBinding), refreshBinding));
        }
        catch (SocialTokenException)
        {
            return null;
        }
    }

    public async Task<StoredSocialAccount> RotateAsync(StoredSocialAccount stored, CancellationToken cancellationToken)
    {
        if (Rotated(stored, protector) is not { } rotated) return stored;
        return await store.RefreshedAsync(stored, rotated.Token, rotated.RefreshToken, stored.ExpiresAt, cancellationToken) ?? stored;
    }

    /// <exception cref="SocialNetworkUnavailableException">A refresh was due and the network could not answer now.</exception>
    public async Task<StoredSocialAccount> FreshAsync(StoredSocialAccount stored, DateTimeOffset neededUntil, CancellationToken cancellationToken)
    {
        if (stored.ExpiresAt is not { } expiresAt || expiresAt > neededUntil || stored.ProtectedRefreshToken is null)
            return stored;
        string refreshToken;
        try
        {
            refreshToken = protector.Unprotect(stored.ProtectedRefreshToken, RefreshBinding(stored.Network, stored.AccountId));
        }
        catch (SocialTokenException ex)
        {
            logger.LogWarning("{Network} account {Account}: stored refresh token unusable: {Reason}", stored.Network, stored.AccountId, ex.Message);
            return stored;
        }
        var refreshed = await oauth.RefreshAsync(stored.Network, refreshToken, cancellationToken);
        if (refreshed is null)
        {
            // X rotates refresh tokens: when two posts of one account refresh at once, the loser's refresh token is
            // already spent, but the winner's new token is in the row. Only if there is none is it a real reconnect,
            // which the connector then reports.
            var latest = await store.GetAsync(stored.VendorId, stored.PartnerId, stored.Network, cancellationToken);
            return latest is not null && latest.ConnectedAt == stored.ConnectedAt && latest.ProtectedToken != stored.ProtectedToken ? latest : stored;
        }
        var updated = await store.RefreshedAsync(stored,
            protector.Protect(refreshed.AccessToken, SocialAccount.TokenBindingFor(stored.Network, stored.AccountId)),
            refreshed.RefreshToken is null ? null : protector.Protect(refreshed.RefreshToken, RefreshBinding(stored.Network, stored.AccountId)),
            refreshed.ExpiresAt, cancellationToken);
        return updated ?? stored;
    }
}

/// <summary>
/// Emails the partner once per broken connection: the account row carries the claim (a stable notice key, which is
/// also the email outbox's key, so a repeat after a crash sends nothing more) and the time the email was queued.
/// Reconnecting replaces the row, so a later failure emails again.
/// </summary>
public sealed class ReconnectNotices(
    SocialAccountStore store, PartnerDirectory partners, EmailOutbox outbox,
    LinkTokens links, IOptions<SyndicationOptions> options, TimeProvider clock, ILogger<ReconnectNotices> logger)
{
    /// <summary>A claim whose email never went out (the process died) is taken over after this long.</summary>
    public static readonly TimeSpan StaleClaim = TimeSpan.FromMinutes(10);

    public async Task NotifyAsync(StoredSocialAccount account, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var key = await store.ClaimReconnectNoticeAsync(account, reason, now, StaleClaim, cancellationToken);
        if (key is null) return;
        var partner = await partners.GetAsync(account.VendorId, account.PartnerId, cancellationToken);
        if (partner is null || partner.Partner.Contacts.Count == 0)
        {
            logger.LogWarning("Reconnect needed for {Network} account of partner {Partner} of {Vendor}, but the partner has no contact to email", account.Network, account.PartnerId, account.VendorId);
            return;
        }
        var contact = partner.Partner.PrimaryContact;
        var link = new Uri(options.Value.PublicBaseUrl ?? new Uri("http://localhost/"),
            SocialLinks.PageUrl(links.Create(SocialLinks.Purpose, account.PartnerId, account.VendorId, SocialLinks.LinkLifetime)).TrimStart('/'));
        var network = SocialOAuthClient.Name(account.Network);
        var text = $"""
            Hello {contact.Name},

            Your {network} connection ({account.DisplayName}) has stopped working, so scheduled {network} posts of your campaigns cannot go out.

            Reconnect it here (the link works for {SocialLinks.LinkLifetime.TotalDays:0} days):
            {link}

            Posts already scheduled will use the new connection.
            """;
        var html = $"""
            <p>Hello {System.Net.WebUtility.HtmlEncode(contact.Name)},</p>
            <p>Your {network} connection (<strong>{System.Net.WebUtility.HtmlEncode(account.DisplayName)}</strong>) has stopped working, so scheduled {network} posts of your campaigns cannot go out.</p>
            <p><a href="{System.Net.WebUtility.HtmlEncode(link.ToString())}">Reconnect {network}</a> (the link works for {SocialLinks.LinkLifetime.TotalDays:0} days).</p>
            <p>Posts already scheduled will use the new connection.</p>
            """;
        // The notice key names the broken connection: a stale claim taken over queues the same key, which the outbox sends once.
        await outbox.EnqueueAsync(new EmailMessage(contact.Email, $"Reconnect your {network} account to keep your posts going", text, html)
        {
            ToName = contact.Name,
        }, key, cancellationToken);
        await store.ReconnectEmailedAsync(account, key, now, cancellationToken);
        logger.LogInformation("Reconnect email queued for {Network} account {Account} of partner {Partner}: {Reason}", account.Network, account.AccountId, account.PartnerId, reason);
    }
}
