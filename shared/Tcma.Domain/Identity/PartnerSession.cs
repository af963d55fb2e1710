using Tcma.Domain.Partners;

namespace Tcma.Domain.Identity;

/// <summary>
/// A partner's signed-in session in the portal: one device's access to one partner of one vendor. <see cref="Email"/>
/// is the contact address proven by a sign-in link; a session opened by another emailed link (a launch, a lead, MDF)
/// proves only the partner, so it has none.
/// </summary>
public sealed record PartnerSession(
    string Id, string VendorId, string PartnerId, string? Email, string Via,
    DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset IdleUntil, DateTimeOffset ExpiresAt);

/// <summary>How long sessions live: they slide with use up to a hard end, and a visit is written down at most this often.</summary>
public sealed record PartnerSessionPolicy(TimeSpan IdleTimeout, TimeSpan Lifetime, TimeSpan TouchEvery)
{
    public static readonly PartnerSessionPolicy Default = new(TimeSpan.FromDays(7), TimeSpan.FromDays(30), TimeSpan.FromMinutes(5));
}

/// <summary>The rules every request through a session is held to; no storage here, the caller reads and writes.</summary>
public static class PartnerSessionRules
{
    public static PartnerSession Start(string id, string vendorId, string partnerId, string? email, string via, DateTimeOffset now, PartnerSessionPolicy policy) =>
        new(id, vendorId, partnerId, email?.Trim(), via, now, now, Min(now + policy.IdleTimeout, now + policy.Lifetime), now + policy.Lifetime);

    /// <summary>
    /// Why this session may not be used now, or null when it may. The partner is re-read on every request, so a
    /// partner made inactive, deleted, or (for a sign-in session) no longer listing the address is refused at once.
    /// </summary>
    public static string? Refusal(PartnerSession? session, Partner? partner, DateTimeOffset now)
    {
        if (session is null) return "the session ended (signed out, or signed out everywhere)";
        if (now >= session.ExpiresAt) return "the session reached its end; sign in again";
        if (now >= session.IdleUntil) return "the session was unused for too long; sign in again";
        if (partner is null) return "the partner no longer exists";
        if (partner.Status != PartnerStatus.Active) return "the partner is no longer active";
        if (session.Email is { } email && !partner.Contacts.Any(c => string.Equals(c.Email.Trim(), email, StringComparison.OrdinalIgnoreCase)))
            return "the address is no longer a contact of the partner";
        return null;
    }

    /// <summary>The session after one more visit (its idle end slides), or null when nothing needs writing yet.</summary>
    public static PartnerSession? Touched(PartnerSession session, DateTimeOffset now, PartnerSessionPolicy policy) =>
        now - session.LastSeenAt < policy.TouchEvery
            ? null
            : session with { LastSeenAt = now, IdleUntil = Min(now + policy.IdleTimeout, session.ExpiresAt) };

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
