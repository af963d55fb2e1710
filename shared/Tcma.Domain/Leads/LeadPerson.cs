namespace Tcma.Domain.Leads;

/// <summary>Who the lead is. Country is ISO 3166-1 alpha-2 (upper case); the phone, once validated, is E.164.</summary>
public sealed record LeadPerson
{
    public required string Email { get; init; }
    public string FirstName { get; init; } = "";
    public string LastName { get; init; } = "";
    public string? Phone { get; init; }
    public string? Company { get; init; }
    public string? JobTitle { get; init; }
    public required string Country { get; init; }
    public string? Region { get; init; }
    public string? PostalCode { get; init; }
    /// <summary>The band the person picked on the form, e.g. "51-200".</summary>
    public string? CompanySize { get; init; }
    public string? ProductInterest { get; init; }
}

/// <summary>The consent exactly as the person gave it: the text they saw, when, on which page, from which address.</summary>
public sealed record Consent(string Text, DateTimeOffset GivenAt, string SourcePage, string IpAddress);
