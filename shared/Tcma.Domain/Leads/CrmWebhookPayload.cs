using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;

namespace Tcma.Domain.Leads;

/// <summary>
/// The body POSTed to a vendor's CRM on every lead state change, schema version 1. Fields are only ever added within a
/// version; renaming or removing one means schemaVersion 2, so CRM integrations can switch on the number.
/// </summary>
public sealed record CrmWebhookPayload(
    int SchemaVersion,
    string EventId,
    string EventType,
    DateTimeOffset OccurredAt,
    string VendorId,
    string? PartnerId,
    string? Reason,
    CrmLead Lead);

public sealed record CrmLead(
    string Id,
    string Status,
    string? StatusReason,
    decimal? WonAmount,
    string? WonCurrency,
    string? PartnerId,
    DateTimeOffset CreatedAt,
    bool Erased,
    string Email,
    string FirstName,
    string LastName,
    string? Phone,
    string? Company,
    string? JobTitle,
    string Country,
    string? Region,
    string? PostalCode,
    string? CompanySize,
    string? ProductInterest,
    CrmSource Source,
    CrmConsent Consent);

/// <summary>Type is "landingPage", "api" or "csvImport"; the other fields are those of that type.</summary>
public sealed record CrmSource(string Type, string? PartnerId = null, string? LaunchId = null, string? KitId = null, string? Client = null, string? ImportId = null, int? Row = null);

public sealed record CrmConsent(string Text, DateTimeOffset GivenAt, string SourcePage, string IpAddress);

/// <summary>Every event type a CRM can receive in schema version 1.</summary>
public static class CrmEventTypes
{
    public const string Created = "lead.created";
    public const string Merged = "lead.merged";
    public const string Assigned = "lead.assigned";
    public const string Accepted = "lead.accepted";
    public const string Rejected = "lead.rejected";
    public const string SlaExpired = "lead.sla_expired";
    public const string Recalled = "lead.recalled";
    public const string VendorPool = "lead.vendor_pool";
    public const string Working = "lead.working";
    public const string Won = "lead.won";
    public const string Lost = "lead.lost";
    public const string Erased = "lead.erased";

    public static readonly IReadOnlyList<string> All = [Created, Merged, Assigned, Accepted, Rejected, SlaExpired, Recalled, VendorPool, Working, Won, Lost, Erased];
}

public static class CrmWebhook
{
    public const int SchemaVersion = 1;

    // Not JsonSerializerDefaults.Web: that also reads numbers from strings, which would make the schema say
    // schemaVersion may be a string.
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    /// <summary>The payload for a change; EventId is the idempotency key a CRM should use to drop our retries.</summary>
    public static CrmWebhookPayload Build(Lead lead, CrmChange change, string eventId) => new(
        SchemaVersion,
        eventId,
        change.EventType,
        change.At,
        lead.VendorId,
        change.PartnerId,
        change.Reason,
        new CrmLead(
            lead.Id,
            lead.Status.ToString(),
            lead.Status switch { LeadStatus.Rejected r => r.Reason, LeadStatus.Lost l => l.Reason, _ => null },
            (lead.Status as LeadStatus.Won)?.Amount,
            (lead.Status as LeadStatus.Won)?.Currency,
            lead.PartnerId,
            lead.CreatedAt,
            lead.IsErased,
            lead.Person.Email,
            lead.Person.FirstName,
            lead.Person.LastName,
            lead.Person.Phone,
            lead.Person.Company,
            lead.Person.JobTitle,
            lead.Person.Country,
            lead.Person.Region,
            lead.Person.PostalCode,
            lead.Person.CompanySize,
            lead.Person.ProductInterest,
            lead.Source switch
            {
                LeadSource.LandingPage p => new CrmSource("landingPage", PartnerId: p.PartnerId, LaunchId: p.LaunchId, KitId: p.KitId),
                LeadSource.Api a => new CrmSource("api", Client: a.Client),
                LeadSource.CsvImport c => new CrmSource("csvImport", ImportId: c.ImportId, Row: c.Row),
                _ => new CrmSource("unknown"),
            },
            new CrmConsent(lead.Consent.Text, lead.Consent.GivenAt, lead.Consent.SourcePage, lead.Consent.IpAddress)));

    /// <summary>The exact bytes that are signed and sent (camelCase JSON, UTF-8).</summary>
    public static string Serialize(CrmWebhookPayload payload) => JsonSerializer.Serialize(payload, Json);

    /// <summary>The JSON Schema of version 1, generated from the records above so the document and the payload cannot drift apart.</summary>
    public static JsonNode Schema()
    {
        var schema = Json.GetJsonSchemaAsNode(typeof(CrmWebhookPayload), new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        var root = (JsonObject)schema;
        root.Insert(0, "$schema", "https://json-schema.org/draft/2020-12/schema");
        root.Insert(1, "$id", "https://tcma.example/schemas/crm-webhook/v1.json");
        root.Insert(2, "title", $"Tcma lead webhook, schema version {SchemaVersion}");
        root["properties"]!["schemaVersion"] = new JsonObject { ["type"] = "integer", ["const"] = SchemaVersion };
        root["properties"]!["eventType"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. CrmEventTypes.All.Select(t => JsonValue.Create(t))]) };
        return root;
    }
}
