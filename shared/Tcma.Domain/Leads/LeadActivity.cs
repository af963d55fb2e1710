namespace Tcma.Domain.Leads;

public enum ActivityKind
{
    FormSubmitted,
    WebinarAttended,
    PageVisited,
}

/// <summary>
/// One thing the person did. A repeat submission becomes an activity of the existing lead, carrying its own consent,
/// so merged submissions keep their proof of consent. SubmissionId makes a queue redelivery recognisable.
/// </summary>
public sealed record LeadActivity(string SubmissionId, ActivityKind Kind, DateTimeOffset At, LeadSource Source, Consent? Consent);
