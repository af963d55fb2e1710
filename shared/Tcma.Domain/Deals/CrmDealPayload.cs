using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using Tcma.Domain.Leads;

namespace Tcma.Domain.Deals;

/// <summary>
/// The body POSTed to a vendor's CRM on every registration change, deal schema version 1, signed, retried and replayable
/// exactly as the lead events (same endpoint, same headers, same delivery log). Fields are only ever added within a version.
/// Amounts are decimal strings with their currency, so no CRM rounds them through a float.
/// </summary>
public sealed record CrmDealPayload(
    int SchemaVersion, string EventId, string EventType, DateTimeOffset OccurredAt, string VendorId, string PartnerId, string? Reason, CrmDeal Registration);

public sealed record CrmDeal(
    string Id, string Status, string Stage, int RulesVersion, string CompanyName, string? Website, IReadOnlyList<string> Domains, string Country,
    string ContactName, string ContactEmail, IReadOnlyList<string> Products, string EstimatedValue, string Currency, DateOnly ExpectedClose,
    string FoundVia, string? LaunchId, string? LeadId, bool Renewal, DateTimeOffset? SubmittedAt, DateTimeOffset? ApprovedAt, DateOnly? ProtectedUntil,
    string? WonAmount, string? Reason);

public static class CrmDealWebhook
{
    public const int SchemaVersion = 1;

    public static CrmDealPayload Build(DealState s, CrmChange change, string eventId)
    {
        var r = s.Registration!;
        return new(SchemaVersion, eventId, change.EventType, change.At, s.VendorId, s.PartnerId, change.Reason, new CrmDeal(
            s.RegistrationId, s.Status.ToString(), s.Stage.ToString(), s.Rules?.Version ?? 0, r.Customer.CompanyName, r.Customer.Website, r.Domains, r.Customer.Country,
            r.Contact.Name, r.Contact.Email, r.Products, r.EstimatedValue.ToInvariantString(), r.EstimatedValue.Currency.Code, r.ExpectedClose,
            r.Origin.Via.ToString(), r.Origin.LaunchId, r.Origin.LeadId, r.IsRenewal, s.SubmittedAt, s.ApprovedAt,
            s.ProtectedUntil is { } until ? DealWorkflow.Last(until) : null, s.WonAmount?.ToInvariantString(), s.Reason));
    }

    public static string Serialize(CrmDealPayload payload) => JsonSerializer.Serialize(payload, CrmWebhook.Json);

    public static JsonNode Schema()
    {
        var root = (JsonObject)CrmWebhook.Json.GetJsonSchemaAsNode(typeof(CrmDealPayload), new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        root.Insert(0, "$schema", "https://json-schema.org/draft/2020-12/schema");
        root.Insert(1, "$id", "https://tcma.example/schemas/crm-webhook/deal-v1.json");
        root.Insert(2, "title", $"Tcma deal registration webhook, schema version {SchemaVersion}");
        root["properties"]!["schemaVersion"] = new JsonObject { ["type"] = "integer", ["const"] = SchemaVersion };
        root["properties"]!["eventType"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. DealCrmEvents.All.Select(t => JsonValue.Create(t))]) };
        return root;
    }
}
