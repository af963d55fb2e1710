namespace Tcma.Domain.Leads;

/// <summary>A lead of one vendor. PartnerId is the partner currently holding it (null while New, Recalled or in the vendor's pool).</summary>
public sealed record Lead
{
    public required string Id { get; init; }
    public required string VendorId { get; init; }
    public required LeadPerson Person { get; init; }
    public required Consent Consent { get; init; }
    public required LeadSource Source { get; init; }
    public LeadStatus Status { get; init; } = new LeadStatus.New();
    public string? PartnerId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset LastActivityAt { get; init; }
    public IReadOnlyList<LeadActivity> Activities { get; init; } = [];
    /// <summary>Set once the person's data has been erased (GDPR); an erased lead is never matched or exported again.</summary>
    public bool IsErased { get; init; }

    /// <summary>A new lead from a validated submission; the id comes from the caller so a redelivered message produces the same lead.</summary>
    public static Lead Create(string id, ValidSubmission submission) => new()
    {
        Id = id,
        VendorId = submission.VendorId,
        Person = submission.Person,
        Consent = submission.Consent,
        Source = submission.Source,
        CreatedAt = submission.ReceivedAt,
        LastActivityAt = submission.ReceivedAt,
        Activities = [submission.ToActivity()],
    };
}
