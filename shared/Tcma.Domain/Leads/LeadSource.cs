using System.Text.Json.Serialization;

namespace Tcma.Domain.Leads;

/// <summary>Where a lead came from. Only a landing page ties a lead to a partner's own campaign (source attribution).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(LeadSource.LandingPage), "landingPage")]
[JsonDerivedType(typeof(LeadSource.Api), "api")]
[JsonDerivedType(typeof(LeadSource.CsvImport), "csvImport")]
public abstract record LeadSource
{
    private LeadSource() { }

    /// <summary>The landing page of a partner's launch of a vendor's kit.</summary>
    public sealed record LandingPage(string PartnerId, string LaunchId, string KitId) : LeadSource;

    /// <summary>The vendor's REST API, from one of the vendor's other systems.</summary>
    public sealed record Api(string Client) : LeadSource;

    /// <summary>A CSV file imported in the console; the row number helps the vendor find the line.</summary>
    public sealed record CsvImport(string ImportId, int Row) : LeadSource;
}
