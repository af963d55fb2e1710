using System.Text.Json.Serialization;

namespace Tcma.Domain.Leads;

/// <summary>Where a lead stands in its life: New, Assigned, Accepted, Rejected, Working, Won, Lost or Recalled.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(LeadStatus.New), "new")]
[JsonDerivedType(typeof(LeadStatus.Assigned), "assigned")]
[JsonDerivedType(typeof(LeadStatus.Accepted), "accepted")]
[JsonDerivedType(typeof(LeadStatus.Rejected), "rejected")]
[JsonDerivedType(typeof(LeadStatus.Working), "working")]
[JsonDerivedType(typeof(LeadStatus.Won), "won")]
[JsonDerivedType(typeof(LeadStatus.Lost), "lost")]
[JsonDerivedType(typeof(LeadStatus.Recalled), "recalled")]
public abstract record LeadStatus
{
    private LeadStatus() { }

    public sealed record New : LeadStatus { public override string ToString() => "New"; }
    public sealed record Assigned : LeadStatus { public override string ToString() => "Assigned"; }
    public sealed record Accepted : LeadStatus { public override string ToString() => "Accepted"; }
    public sealed record Rejected(string Reason) : LeadStatus { public override string ToString() => "Rejected"; }
    public sealed record Working : LeadStatus { public override string ToString() => "Working"; }
    public sealed record Won(decimal Amount, string Currency) : LeadStatus { public override string ToString() => "Won"; }
    public sealed record Lost(string Reason) : LeadStatus { public override string ToString() => "Lost"; }
    /// <summary>Taken back to the vendor: the SLA lapsed on the last hop, nobody could take it, or the vendor pulled it.</summary>
    public sealed record Recalled : LeadStatus { public override string ToString() => "Recalled"; }

    /// <summary>Won and Lost are final; every other status can still move, so the lead is open for de-duplication.</summary>
    [JsonIgnore]
    public bool IsClosed => this is Won or Lost;
}
