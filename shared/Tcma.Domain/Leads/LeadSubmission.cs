using System.Text.Json.Serialization;

namespace Tcma.Domain.Leads;

/// <summary>
/// A submission as it arrived (form, API or CSV row): untrusted text, nothing checked yet.
/// ReceivedAt is the server's clock at capture and doubles as the consent time; the person's own clock is never trusted.
/// </summary>
public sealed record LeadSubmission
{
    public required string SubmissionId { get; init; }
    public required string VendorId { get; init; }
    public required LeadSource Source { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public ActivityKind Kind { get; init; } = ActivityKind.FormSubmitted;

    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Phone { get; init; }
    public string? Company { get; init; }
    public string? JobTitle { get; init; }
    public string? Country { get; init; }
    public string? Region { get; init; }
    public string? PostalCode { get; init; }
    public string? CompanySize { get; init; }
    public string? ProductInterest { get; init; }

    public string? ConsentText { get; init; }
    public string? SourcePage { get; init; }
    public string? IpAddress { get; init; }

    /// <summary>A field hidden from people by the landing page; only bots fill it.</summary>
    public string? Honeypot { get; init; }
}

/// <summary>A submission that passed validation, with every field normalised (email case-folded, phone E.164, company collapsed).</summary>
public sealed record ValidSubmission(
    string SubmissionId,
    string VendorId,
    LeadPerson Person,
    Consent Consent,
    LeadSource Source,
    ActivityKind Kind,
    DateTimeOffset ReceivedAt)
{
    public LeadActivity ToActivity() => new(SubmissionId, Kind, ReceivedAt, Source, Consent);

    [JsonIgnore]
    public string MatchKey => LeadNormalisation.MatchKey(VendorId, Person.Email);
}
