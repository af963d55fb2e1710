using System.Text.Json.Serialization;

namespace Tcma.Domain.Leads;

/// <summary>An area a partner covers: a whole country, a region of it, or the postal codes starting with a prefix.</summary>
public sealed record Territory(string Country, string? Region = null, string? PostalPrefix = null);

/// <summary>A partner as routing sees it, with its current load (open leads it has not yet accepted).</summary>
public sealed record RoutingPartner
{
    public required string PartnerId { get; init; }
    public required string Name { get; init; }
    public string Tier { get; init; } = "";
    /// <summary>The partner's share in the round-robin relative to the others; 2 gets twice the leads of 1.</summary>
    public int Weight { get; init; } = 1;
    public IReadOnlyList<Territory> Territories { get; init; } = [];
    public IReadOnlyList<string> Specialisations { get; init; } = [];
    public IReadOnlyList<string> OptedOutProducts { get; init; } = [];
    /// <summary>Null: no cap.</summary>
    public int? MaxOpenUnaccepted { get; init; }
    public int OpenUnaccepted { get; init; }
    public bool IsActive { get; init; } = true;

    [JsonIgnore]
    public bool IsFull => MaxOpenUnaccepted is { } max && OpenUnaccepted >= max;

    public bool HasOptedOutOf(string? product) =>
        !string.IsNullOrWhiteSpace(product) && OptedOutProducts.Contains(product.Trim(), StringComparer.OrdinalIgnoreCase);
}

public enum AccountClaimKind
{
    DealRegistration,
    CustomerOwner,
}

/// <summary>
/// A partner's claim on an account: an open deal registration (until it expires) or being the customer's owner.
/// The account is recognised by the email domain or the company name.
/// </summary>
public sealed record AccountClaim(
    string PartnerId,
    AccountClaimKind Kind,
    DateTimeOffset RegisteredAt,
    string? EmailDomain = null,
    string? Company = null,
    DateTimeOffset? ExpiresAt = null);
