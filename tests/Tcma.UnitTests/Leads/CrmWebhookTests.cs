using System.Text.Json;
using System.Text.Json.Nodes;
using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class CrmWebhookTests
{
    private static JsonObject Body(Lead lead, CrmChange change) =>
        JsonNode.Parse(CrmWebhook.Serialize(CrmWebhook.Build(lead, change, "evt-1")))!.AsObject();

    [Fact]
    public void The_payload_carries_the_schema_version_the_event_and_the_lead_in_camel_case()
    {
        var lead = Lead() with { Status = new LeadStatus.Won(1234.5m, "EUR"), PartnerId = "partner-a" };
        var body = Body(lead, new CrmChange("lead.won", "lead-1", "partner-a", Now));

        Assert.Equal(1, body["schemaVersion"]!.GetValue<int>());
        Assert.Equal("evt-1", body["eventId"]!.GetValue<string>());
        Assert.Equal("lead.won", body["eventType"]!.GetValue<string>());
        Assert.Equal("vendor-1", body["vendorId"]!.GetValue<string>());
        var l = body["lead"]!.AsObject();
        Assert.Equal("Won", l["status"]!.GetValue<string>());
        Assert.Equal(1234.5m, l["wonAmount"]!.GetValue<decimal>());
        Assert.Equal("ana@example.com", l["email"]!.GetValue<string>());
        Assert.Equal("+49301234567", l["phone"]!.GetValue<string>());
        Assert.Equal("landingPage", l["source"]!["type"]!.GetValue<string>());
        Assert.Equal("launch-1", l["source"]!["launchId"]!.GetValue<string>());
        Assert.Equal("203.0.113.7", l["consent"]!["ipAddress"]!.GetValue<string>());
    }

    [Fact]
    public void Reasons_travel_with_rejected_and_lost()
    {
        var lead = Lead() with { Status = new LeadStatus.Lost("chose a competitor") };
        Assert.Equal("chose a competitor", Body(lead, new CrmChange("lead.lost", "lead-1", null, Now))["lead"]!["statusReason"]!.GetValue<string>());
    }

    [Fact]
    public void Scripts_in_fields_are_json_escaped_text_not_markup()
    {
        var lead = Lead() with { Person = Lead().Person with { FirstName = "</script><script>alert(1)</script>" } };
        var json = CrmWebhook.Serialize(CrmWebhook.Build(lead, new CrmChange("lead.assigned", "lead-1", null, Now), "e"));
        Assert.DoesNotContain("<script>", json);
        Assert.Equal("</script><script>alert(1)</script>", JsonNode.Parse(json)!["lead"]!["firstName"]!.GetValue<string>());
    }

    [Fact]
    public void The_published_schema_is_version_1_and_requires_every_property_the_payload_sends()
    {
        var schema = CrmWebhook.Schema().AsObject();
        Assert.Equal("https://tcma.example/schemas/crm-webhook/v1.json", schema["$id"]!.GetValue<string>());
        var required = schema["required"]!.AsArray().Select(n => n!.GetValue<string>()).ToHashSet();
        var body = Body(Lead(), new CrmChange("lead.assigned", "lead-1", "partner-a", Now));
        Assert.Equal(body.Select(p => p.Key).ToHashSet(), required);
        var leadRequired = schema["properties"]!["lead"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()).ToHashSet();
        Assert.Equal(body["lead"]!.AsObject().Select(p => p.Key).ToHashSet(), leadRequired);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Payloads_conform_to_the_schema_they_declare(bool sparse)
    {
        var lead = sparse
            ? Lead() with { Source = new LeadSource.CsvImport("imp-1", 42), Person = Lead().Person with { Phone = null, Company = null, JobTitle = null } }
            : Lead() with { Status = new LeadStatus.Won(99.95m, "USD"), PartnerId = "partner-a" };
        var body = Body(lead, new CrmChange(CrmEventTypes.Won, "lead-1", lead.PartnerId, Now, sparse ? null : "signed"));
        Assert.Empty(SchemaViolations(CrmWebhook.Schema(), body, "$"));
        body["schemaVersion"] = 2;
        body["eventType"] = "lead.exploded";
        Assert.Equal(["$.schemaVersion", "$.eventType"], SchemaViolations(CrmWebhook.Schema(), body, "$"));
    }

    /// <summary>The subset of JSON Schema the exporter emits: type, const, enum, required, properties.</summary>
    private static List<string> SchemaViolations(JsonNode schema, JsonNode? value, string path)
    {
        var problems = new List<string>();
        var types = schema["type"] switch
        {
            JsonArray a => a.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue v => [v.GetValue<string>()],
            _ => [],
        };
        var kind = value?.GetValueKind();
        var actual = kind switch
        {
            null or JsonValueKind.Null => "null",
            JsonValueKind.String => "string",
            JsonValueKind.Number => value!.ToJsonString().Contains('.') ? "number" : "integer",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Object => "object",
            _ => "array",
        };
        if (types.Count > 0 && !types.Contains(actual) && !(actual == "integer" && types.Contains("number")))
            problems.Add(path);
        else if (schema["const"] is { } c && !JsonNode.DeepEquals(c, value))
            problems.Add(path);
        else if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, value)))
            problems.Add(path);
        else if (value is JsonObject obj)
        {
            foreach (var name in schema["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
                if (!obj.ContainsKey(name)) problems.Add($"{path}.{name} (missing)");
            foreach (var (name, sub) in schema["properties"]?.AsObject() ?? [])
                if (obj.ContainsKey(name)) problems.AddRange(SchemaViolations(sub!, obj[name], $"{path}.{name}"));
        }
        return problems;
    }

    [Fact]
    public void Serialising_the_same_payload_twice_gives_the_same_bytes_so_the_signature_is_stable()
    {
        var payload = CrmWebhook.Build(Lead(), new CrmChange("lead.assigned", "lead-1", "partner-a", Now), "evt-1");
        Assert.Equal(CrmWebhook.Serialize(payload), CrmWebhook.Serialize(payload));
        var back = JsonSerializer.Deserialize<CrmWebhookPayload>(CrmWebhook.Serialize(payload), CrmWebhook.Json)!;
        Assert.Equal(payload with { Lead = null! }, back with { Lead = null! });
        Assert.Equal(payload.Lead with { Source = null!, Consent = null! }, back.Lead with { Source = null!, Consent = null! });
    }
}
