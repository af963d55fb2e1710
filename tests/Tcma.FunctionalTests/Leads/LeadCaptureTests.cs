using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Hosting;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Leads;
using Tcma.Storage.Leads;

namespace Tcma.FunctionalTests.Leads;

/// <summary>
/// Capture through the real API and the LeadCaptured queue function on Azurite: a lead is acknowledged only once queued,
/// recorded once however often it arrives, and a repeat of the same person within 30 days is merged, not doubled.
/// </summary>
public sealed class LeadCaptureTests
{
    private const string Vendor = "northwind";

    private static object Submission(string email = "ana.silva@contoso.example", string firstName = "Ana", string? honeypot = null) => new
    {
        email,
        firstName,
        lastName = "Silva",
        country = "DE",
        company = "Contoso  GmbH",
        phone = "030 1234567",
        consentText = "I agree that Northwind and its partners may contact me about cloud backup.",
        sourcePage = "https://northwind.example/backup",
        ipAddress = "203.0.113.7",
        honeypot,
    };

    private static async Task<HttpClient> ApiClientAsync(TcmaAppFactory app, string vendor = Vendor) =>
        app.WithApiKey((await app.CreateApiKeyAsync(vendor, VendorRole.ChannelManager)).Key);

    private static async Task<string> CaptureAsync(HttpClient client, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/vendors/{Vendor}/leads") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add(LeadEndpoints.IdempotencyKeyHeader, idempotencyKey);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["submissionId"]!.GetValue<string>();
    }

    private static QueueClient CapturedQueue(TcmaAppFactory app) =>
        new(app.StorageConnectionString, $"{app.StoragePrefix}-{LeadEndpoints.CapturedQueue}");

    private static async Task<string[]> QueuedAsync(TcmaAppFactory app)
    {
        var queue = CapturedQueue(app);
        await queue.CreateIfNotExistsAsync();
        return [.. (await queue.PeekMessagesAsync(32)).Value.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString())))];
    }

    /// <summary>Delivers a message the way the Functions host does, over the invocation contract.</summary>
    private static Task<HttpResponseMessage> InvokeAsync(TcmaAppFactory app, string message) =>
        app.CreateClient().PostAsync("/" + LeadEndpoints.CapturedFunction,
            new StringContent(JsonSerializer.Serialize(new { Data = new { message }, Metadata = new { DequeueCount = 1 } }), Encoding.UTF8, "application/json"));

    private static async Task<JsonObject?> LeadAsync(HttpClient client, string leadId)
    {
        var response = await client.GetAsync($"/api/vendors/{Vendor}/leads/{leadId}");
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonObject>();
    }

    private static async Task<List<TableEntity>> RowsAsync(TcmaAppFactory app, string table)
    {
        var client = new TableClient(app.StorageConnectionString, app.StoragePrefix + table);
        await client.CreateIfNotExistsAsync();
        return [.. client.Query<TableEntity>()];
    }

    [Fact]
    public async Task A_captured_lead_is_stored_by_the_queue_function_with_the_consent_exactly_as_given()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock: clock);
        var api = await ApiClientAsync(app);

        var submissionId = await CaptureAsync(api, Submission(email: "  Ana.Silva@Contoso.example "));

        var leadId = LeadStore.LeadId(Vendor, submissionId);
        JsonObject? lead = null;
        await QueueTriggerTests.WaitUntilAsync(async () => (lead = await LeadAsync(api, leadId)) is not null);
        Assert.Equal("ana.silva@contoso.example", lead!["person"]!["email"]!.GetValue<string>());
        Assert.Equal("+49301234567", lead["person"]!["phone"]!.GetValue<string>());
        Assert.Equal("Contoso GmbH", lead["person"]!["company"]!.GetValue<string>());
        var consent = lead["consent"]!;
        Assert.Equal("I agree that Northwind and its partners may contact me about cloud backup.", consent["text"]!.GetValue<string>());
        Assert.Equal(clock.GetUtcNow(), consent["givenAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("https://northwind.example/backup", consent["sourcePage"]!.GetValue<string>());
        Assert.Equal("203.0.113.7", consent["ipAddress"]!.GetValue<string>());
        Assert.Equal(submissionId, Assert.Single(lead["activities"]!.AsArray())!["submissionId"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_submission_sent_twice_and_delivered_twice_makes_one_lead_with_one_activity()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var api = await ApiClientAsync(app);

        // A client that timed out retries with the same key: both are acknowledged with the same id.
        Assert.Equal("order-42", await CaptureAsync(api, Submission(), idempotencyKey: "order-42"));
        Assert.Equal("order-42", await CaptureAsync(api, Submission(), idempotencyKey: "order-42"));
        var messages = await QueuedAsync(app);
        Assert.Equal(2, messages.Length);

        // Each message delivered, and the first one delivered again (the queue's at-least-once).
        foreach (var message in new[] { messages[0], messages[1], messages[0] })
            Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, message)).StatusCode);

        var lead = await LeadAsync(api, LeadStore.LeadId(Vendor, "order-42"));
        Assert.Single(lead!["activities"]!.AsArray());
        Assert.Single(await RowsAsync(app, LeadStore.LeadsTable));
        Assert.Single(await RowsAsync(app, LeadStore.EmailsTable));
    }

    [Fact]
    public async Task The_same_person_within_30_days_is_merged_as_an_activity_and_after_30_days_is_a_new_lead()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock: clock, localTriggerHost: false);
        var api = await ApiClientAsync(app);

        var first = await CaptureAsync(api, Submission(email: "ana.silva@contoso.example"));
        clock.Advance(TimeSpan.FromDays(29));
        var second = await CaptureAsync(api, Submission(email: "  ANA.Silva@Contoso.EXAMPLE  ", firstName: "Anna"));
        foreach (var message in await QueuedAsync(app))
            Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, message)).StatusCode);

        var lead = await LeadAsync(api, LeadStore.LeadId(Vendor, first));
        Assert.Equal([first, second], lead!["activities"]!.AsArray().Select(a => a!["submissionId"]!.GetValue<string>()));
        Assert.Equal("Ana", lead["person"]!["firstName"]!.GetValue<string>());
        Assert.Null(await LeadAsync(api, LeadStore.LeadId(Vendor, second)));
        Assert.Single(await RowsAsync(app, LeadStore.LeadsTable));

        // The window runs from the last activity: 31 days of silence later, the person is a new lead.
        await CapturedQueue(app).ClearMessagesAsync();
        clock.Advance(TimeSpan.FromDays(31));
        var third = await CaptureAsync(api, Submission(email: "ana.silva@contoso.example"));
        Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, Assert.Single(await QueuedAsync(app)))).StatusCode);
        Assert.NotNull(await LeadAsync(api, LeadStore.LeadId(Vendor, third)));
        Assert.Equal(2, (await RowsAsync(app, LeadStore.LeadsTable)).Count);
    }

    [Fact]
    public async Task A_delivery_that_died_between_the_index_write_and_the_lead_write_is_finished_by_the_redelivery()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var api = await ApiClientAsync(app);
        var id = await CaptureAsync(api, Submission(email: "ana.silva@contoso.example"));
        var leadId = LeadStore.LeadId(Vendor, id);

        // What the first delivery left behind: the index names the lead, the lead row was never written.
        var emails = new TableClient(app.StorageConnectionString, app.StoragePrefix + LeadStore.EmailsTable);
        await emails.CreateIfNotExistsAsync();
        await emails.AddEntityAsync(new TableEntity(Vendor, LeadStore.EmailKey("ana.silva@contoso.example")) { ["LeadIds"] = leadId });

        Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, Assert.Single(await QueuedAsync(app)))).StatusCode);

        Assert.Single((await LeadAsync(api, leadId))!["activities"]!.AsArray());
        Assert.Single(await RowsAsync(app, LeadStore.LeadsTable));
        Assert.Equal(leadId, Assert.Single(await RowsAsync(app, LeadStore.EmailsTable)).GetString("LeadIds"));
    }

    [Fact]
    public async Task Submissions_of_one_person_recorded_at_the_same_moment_make_one_lead()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var api = await ApiClientAsync(app);
        for (var i = 0; i < 6; i++)
            await CaptureAsync(api, Submission(email: i % 2 == 0 ? "ana.silva@contoso.example" : " ANA.SILVA@contoso.example"));

        var replies = await Task.WhenAll((await QueuedAsync(app)).Select(m => InvokeAsync(app, m)));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var lead = Assert.Single(await RowsAsync(app, LeadStore.LeadsTable));
        Assert.Equal(6, JsonNode.Parse(lead.GetString("Json"))!["activities"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_malformed_queue_message_fails_the_invocation_so_the_host_retries_then_poisons_it()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);

        Assert.Equal(HttpStatusCode.InternalServerError, (await InvokeAsync(app, "{not json")).StatusCode);
        var invalid = JsonSerializer.Serialize(new { SubmissionId = "s-1", VendorId = Vendor, Source = new Dictionary<string, string> { ["$type"] = "api", ["Client"] = "x" }, ReceivedAt = DateTimeOffset.UtcNow, Email = "not an email" });
        Assert.Equal(HttpStatusCode.InternalServerError, (await InvokeAsync(app, invalid)).StatusCode);
        Assert.Empty(await RowsAsync(app, LeadStore.LeadsTable));
    }

    [Fact]
    public async Task Script_in_a_field_is_stored_and_returned_as_text()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var api = await ApiClientAsync(app);
        const string script = "<script>alert('x')</script>";

        var id = await CaptureAsync(api, Submission(firstName: script));
        Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, Assert.Single(await QueuedAsync(app)))).StatusCode);

        var response = await api.GetAsync($"/api/vendors/{Vendor}/leads/{LeadStore.LeadId(Vendor, id)}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var lead = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(script, lead!["person"]!["firstName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_oversized_foreign_and_bot_submissions_are_refused_or_dropped_and_nothing_is_queued()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var api = await ApiClientAsync(app);

        var invalid = await api.PostAsJsonAsync($"/api/vendors/{Vendor}/leads", new { email = "nope", country = "Germany" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["consentText", "country", "email", "firstName", "lastName"], errors.Select(e => e.Key).Order());

        var oversized = await api.PostAsync($"/api/vendors/{Vendor}/leads",
            new StringContent(JsonSerializer.Serialize(new { email = "a@b.example", company = new string('x', 40 * 1024) }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);

        var other = await ApiClientAsync(app, "contoso");
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync($"/api/vendors/{Vendor}/leads", Submission())).StatusCode);

        // A bot gets the same answer as a person, and nothing is kept.
        await CaptureAsync(api, Submission(honeypot: "https://spam.example"));

        Assert.Empty(await QueuedAsync(app));
        Assert.Empty(await RowsAsync(app, LeadStore.LeadsTable));
    }

    [Fact]
    public async Task Another_vendor_cannot_read_a_lead()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var api = await ApiClientAsync(app);
        var id = await CaptureAsync(api, Submission());
        Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(app, Assert.Single(await QueuedAsync(app)))).StatusCode);
        var leadId = LeadStore.LeadId(Vendor, id);

        var other = await app.SignedInAsync("contoso", VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/vendors/{Vendor}/leads/{leadId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/vendors/contoso/leads/{leadId}")).StatusCode);
    }
}
