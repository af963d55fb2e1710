using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.FunctionalTests.Hosting;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Leads;
using Tcma.Storage.Leads;

namespace Tcma.FunctionalTests.Leads;

/// <summary>A vendor's CRM on loopback: records what it receives and answers with the status it is told to.</summary>
public sealed class FakeCrm : IAsyncDisposable
{
    public sealed record Received(string EventId, string Signature, string Body, DateTimeOffset At);

    private readonly ConcurrentQueue<Received> received = new();
    private readonly ConcurrentQueue<Received> others = new();
    private readonly ConcurrentQueue<int> statuses = new();
    private WebApplication? app;

    /// <summary>The requests of the events this test watches (see <see cref="Watch"/>).</summary>
    public IReadOnlyList<Received> Requests => [.. received];
    /// <summary>Requests of other events (a lead's later changes), answered 200 and kept out of the test's way.</summary>
    public IReadOnlyList<Received> Others => [.. others];
    /// <summary>Which event ids the scripted answers and <see cref="Requests"/> are about; all by default.</summary>
    public Func<string, bool> Watch { get; set; } = _ => true;
    public string Url { get; private set; } = "";
    /// <summary>Answered when no status is queued.</summary>
    public int DefaultStatus { get; set; } = 200;

    public void AnswerNext(params int[] codes)
    {
        foreach (var c in codes) statuses.Enqueue(c);
    }

    public async Task<FakeCrm> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Fake" });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.MapPost("/hooks/tcma", async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var request = new Received(context.Request.Headers["Tcma-Event-Id"].ToString(), context.Request.Headers[WebhookSignature.HeaderName].ToString(), body, DateTimeOffset.UtcNow);
            if (!Watch(request.EventId))
            {
                others.Enqueue(request);
                return;
            }
            received.Enqueue(request);
            context.Response.StatusCode = statuses.TryDequeue(out var status) ? status : DefaultStatus;
        });
        await app.StartAsync();
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/hooks/tcma";
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}

/// <summary>
/// Lead changes reach the vendor's CRM signed, with the versioned payload, retried with back-off, dead-lettered after
/// the limit and replayable; a duplicate message never makes a second event.
/// </summary>
public sealed class CrmWebhookTests
{
    private const string Vendor = "northwind";
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private static Task<TcmaAppFactory> StartAsync(FakeTimeProvider clock, int maxAttempts = 10, bool localTriggerHost = true) =>
        TcmaAppFactory.StartAsync(clock: clock, localTriggerHost: localTriggerHost, overrides: new Dictionary<string, string?>
        {
            [$"{CrmWebhookOptions.Section}:FirstDelay"] = "00:00:00.050",
            [$"{CrmWebhookOptions.Section}:MaxAttempts"] = maxAttempts.ToString(),
            ["LocalTriggerHost:MaxPollingInterval"] = "00:00:00.200",
        });

    /// <summary>A new lead's first event, lead.created, sent by its routing workflow.</summary>
    private static string Created(string leadId) => $"{leadId}-0001";

    private static async Task<(HttpClient Admin, string Secret)> ConfigureAsync(TcmaAppFactory app, FakeCrm crm)
    {
        crm.Watch = id => id.EndsWith("-0001", StringComparison.Ordinal);
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        var put = await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/crm-webhook", new { url = crm.Url });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return (admin, (await put.Content.ReadFromJsonAsync<CrmWebhookView>())!.Secret!);
    }

    private static async Task<string> CaptureAsync(TcmaAppFactory app, string email = "ana.silva@contoso.example")
    {
        var api = app.WithApiKey((await app.CreateApiKeyAsync(Vendor, VendorRole.ChannelManager)).Key);
        var response = await api.PostAsJsonAsync($"/api/vendors/{Vendor}/leads", new
        {
            email, firstName = "Ana", lastName = "Silva", country = "DE", consentText = "Yes, contact me.", sourcePage = "https://northwind.example/p", ipAddress = "203.0.113.7",
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return LeadStore.LeadId(Vendor, (await response.Content.ReadFromJsonAsync<JsonObject>())!["submissionId"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_config_takes_https_only_and_shows_the_secret_once_to_vendor_admins()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false,
            overrides: new Dictionary<string, string?> { [$"{CrmWebhookOptions.Section}:AllowPrivateAddresses"] = "false" });
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        var url = $"/api/vendors/{Vendor}/crm-webhook";

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(url)).StatusCode);
        foreach (var bad in new[] { "http://crm.example/hook", "http://127.0.0.1:9/hook", "ftp://crm.example", "not a url", "https://user:pw@crm.example/h", "" })
            Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync(url, new { url = bad })).StatusCode);

        var first = (await (await admin.PutAsJsonAsync(url, new { url = "https://crm.example/hook" })).Content.ReadFromJsonAsync<CrmWebhookView>())!;
        Assert.StartsWith("whsec_", first.Secret);
        var read = (await admin.GetFromJsonAsync<CrmWebhookView>(url))!;
        Assert.Null(read.Secret);
        Assert.DoesNotContain(first.Secret!, await admin.GetStringAsync(url));
        Assert.Null((await (await admin.PutAsJsonAsync(url, new { url = "https://crm.example/hook2" })).Content.ReadFromJsonAsync<CrmWebhookView>())!.Secret);
        var rotated = (await (await admin.PutAsJsonAsync(url, new { url = "https://crm.example/hook2", rotateSecret = true })).Content.ReadFromJsonAsync<CrmWebhookView>())!;
        Assert.NotEqual(first.Secret, rotated.Secret);

        var manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PutAsJsonAsync(url, new { url = "https://evil.example" })).StatusCode);
        var other = await app.SignedInAsync("contoso", VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(url)).StatusCode);
        Assert.False(CrmWebhookDelivery.IsPublic(IPAddress.Parse("169.254.169.254")));
        Assert.False(CrmWebhookDelivery.IsPublic(IPAddress.Parse("10.1.2.3")));
        Assert.True(CrmWebhookDelivery.IsPublic(IPAddress.Parse("52.1.2.3")));
    }

    [Fact]
    public async Task A_captured_lead_reaches_the_CRM_signed_with_the_version_1_payload()
    {
        var clock = new FakeTimeProvider(Start);
        await using var crm = await new FakeCrm().StartAsync();
        await using var app = await StartAsync(clock);
        var (_, secret) = await ConfigureAsync(app, crm);

        var leadId = await CaptureAsync(app);

        await QueueTriggerTests.WaitUntilAsync(() => Task.FromResult(crm.Requests.Count > 0));
        var request = Assert.Single(crm.Requests);
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(request.Signature, request.Body, Encoding.UTF8.GetBytes(secret), clock.GetUtcNow()));
        Assert.Equal(SignatureCheck.Mismatch, WebhookSignature.Verify(request.Signature, request.Body.Replace("Ana", "Eve"), Encoding.UTF8.GetBytes(secret), clock.GetUtcNow()));
        var payload = JsonSerializer.Deserialize<CrmWebhookPayload>(request.Body, CrmWebhook.Json)!;
        Assert.Equal(1, payload.SchemaVersion);
        Assert.Equal(CrmEventTypes.Created, payload.EventType);
        Assert.Equal(Created(leadId), payload.EventId);
        Assert.Equal(request.EventId, payload.EventId);
        Assert.Equal(leadId, payload.Lead.Id);
        Assert.Equal("ana.silva@contoso.example", payload.Lead.Email);
        Assert.Equal("api", payload.Lead.Source.Type);
    }

    [Fact]
    public async Task A_500_is_retried_with_back_off_and_the_same_event_id_until_it_gets_through()
    {
        var clock = new FakeTimeProvider(Start);
        await using var crm = await new FakeCrm().StartAsync();
        crm.AnswerNext(500, 503);
        await using var app = await StartAsync(clock);
        var (admin, _) = await ConfigureAsync(app, crm);

        var leadId = await CaptureAsync(app);

        await QueueTriggerTests.WaitUntilAsync(() => Task.FromResult(crm.Requests.Count >= 3));
        Assert.All(crm.Requests, r => Assert.Equal(Created(leadId), r.EventId));
        CrmDeliveriesView? view = null;
        await QueueTriggerTests.WaitUntilAsync(async () => (view = await admin.GetFromJsonAsync<CrmDeliveriesView>($"/api/vendors/{Vendor}/crm-webhook/deliveries"))!.Recent.Count(a => a.EventId == Created(leadId)) == 3);
        var attempts = view!.Recent.Where(a => a.EventId == Created(leadId)).OrderBy(a => a.Attempt).ToList();
        Assert.Equal([false, false, true], attempts.Select(a => a.Succeeded));
        Assert.Equal(500, attempts[0].StatusCode);
        // The back-off is WebhookRetry's, measured on the app's clock.
        var policy = new WebhookRetryPolicy { FirstDelay = TimeSpan.FromMilliseconds(50) };
        var seed = BitConverter.ToUInt64(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Created(leadId))));
        Assert.Equal(clock.GetUtcNow() + ((RetryDecision.RetryAfter)WebhookRetry.AfterFailure(1, seed, policy)).Delay, attempts[0].NextAttemptAt);
        Assert.Equal(clock.GetUtcNow() + ((RetryDecision.RetryAfter)WebhookRetry.AfterFailure(2, seed, policy)).Delay, attempts[1].NextAttemptAt);
        Assert.Empty(view.DeadLetters);
    }

    [Fact]
    public async Task After_the_last_attempt_the_delivery_is_dead_lettered_shown_in_the_console_and_replayed()
    {
        var clock = new FakeTimeProvider(Start);
        await using var crm = await new FakeCrm { DefaultStatus = 500 }.StartAsync();
        await using var app = await StartAsync(clock, maxAttempts: 3);
        var (admin, _) = await ConfigureAsync(app, crm);
        var leadId = await CaptureAsync(app);

        CrmDeliveriesView? view = null;
        await QueueTriggerTests.WaitUntilAsync(async () => (view = await admin.GetFromJsonAsync<CrmDeliveriesView>($"/api/vendors/{Vendor}/crm-webhook/deliveries"))!.DeadLetters.Count == 1);
        var dead = Assert.Single(view!.DeadLetters);
        Assert.Equal(3, dead.Attempts);
        Assert.Contains("gave up after 3 attempts", dead.LastError);
        Assert.Equal(3, crm.Requests.Count);
        var page = await admin.GetStringAsync("/console/leads/crm");
        Assert.Contains(dead.EventId, page);
        Assert.Contains(">Replay</button>", page);

        crm.DefaultStatus = 200;
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/vendors/{Vendor}/crm-webhook/dead-letters/{dead.EventId}/replay", null)).StatusCode);

        await QueueTriggerTests.WaitUntilAsync(() => Task.FromResult(crm.Requests.Count == 4));
        Assert.Equal(Created(leadId), crm.Requests[3].EventId);
        await QueueTriggerTests.WaitUntilAsync(async () => (await admin.GetFromJsonAsync<CrmDeliveriesView>($"/api/vendors/{Vendor}/crm-webhook/deliveries"))!.DeadLetters.Count == 0);
        // Nothing left to replay.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/vendors/{Vendor}/crm-webhook/dead-letters/{dead.EventId}/replay", null)).StatusCode);
    }

    [Fact]
    public async Task The_same_notification_delivered_twice_reaches_the_CRM_under_one_event_id_and_is_recorded_once()
    {
        var clock = new FakeTimeProvider(Start);
        await using var crm = await new FakeCrm().StartAsync();
        await using var app = await StartAsync(clock, localTriggerHost: false);
        await ConfigureAsync(app, crm);
        var leadId = await CaptureAsync(app);
        var captured = new Azure.Storage.Queues.QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{LeadEndpoints.CapturedQueue}");
        var submission = Encoding.UTF8.GetString(Convert.FromBase64String((await captured.PeekMessagesAsync(1)).Value[0].Body.ToString()));
        var client = app.CreateClient();
        Task<HttpResponseMessage> Invoke(string function, string message) => client.PostAsync("/" + function,
            new StringContent(JsonSerializer.Serialize(new { Data = new { message }, Metadata = new { DequeueCount = 1 } }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, (await Invoke(LeadEndpoints.CapturedFunction, submission)).StatusCode);
        // The queue delivers the submission again (a crash before its delete): the routing workflow has already
        // announced the lead and announces nothing twice.
        Assert.Equal(HttpStatusCode.OK, (await Invoke(LeadEndpoints.CapturedFunction, submission)).StatusCode);
        var notifications = new Azure.Storage.Queues.QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{CrmNotification.Queue}");
        var messages = (await notifications.PeekMessagesAsync(32)).Value.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString()))).ToList();
        var created = Assert.Single(messages, m => m.Contains(Created(leadId)));

        // The CRM function gets that notification four times at once.
        var replies = await Task.WhenAll(Enumerable.Repeat(created, 4).Select(m => Invoke(CrmWebhookDelivery.FunctionName, m)));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.NotEmpty(crm.Requests);
        Assert.All(crm.Requests, r => Assert.Equal(Created(leadId), r.EventId));
        var row = await app.Services.GetRequiredService<CrmWebhookStore>().GetDeliveryAsync(Vendor, Created(leadId), default);
        Assert.Equal(CrmDeliveryStatus.Delivered, row!.Status);
        Assert.Equal(1, row.Attempts);
        Assert.Equal(HttpStatusCode.InternalServerError, (await Invoke(CrmWebhookDelivery.FunctionName, "{not json")).StatusCode);
    }

    private static async Task<Azure.Data.Tables.TableClient> ConfigTableAsync(TcmaAppFactory app) =>
        await Tcma.Storage.StorageProvisioning.TableAsync(app.Services.GetRequiredService<Tcma.Storage.StorageAccount>(), CrmWebhookStore.ConfigTable);

    [Fact]
    public async Task The_secret_is_stored_encrypted_and_a_plain_row_from_before_still_signs_and_is_encrypted_on_the_next_save()
    {
        var clock = new FakeTimeProvider(Start);
        await using var crm = await new FakeCrm().StartAsync();
        await using var app = await StartAsync(clock);
        var (admin, secret) = await ConfigureAsync(app, crm);
        var table = await ConfigTableAsync(app);
        var row = (await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(Vendor, "config")).Value;
        Assert.DoesNotContain(row.Select(p => p.Value), v => v is string text && text.Contains(secret[6..], StringComparison.Ordinal));
        Assert.False(string.IsNullOrEmpty(row.GetString("ProtectedSecret")));

        await CaptureAsync(app, "first@contoso.example");
        await QueueTriggerTests.WaitUntilAsync(() => Task.FromResult(crm.Requests.Count == 1));
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(crm.Requests[0].Signature, crm.Requests[0].Body, Encoding.UTF8.GetBytes(secret), clock.GetUtcNow()));

        // A row as written before encryption: the secret in plain Secret, no ProtectedSecret.
        const string legacy = "whsec_legacy-secret-written-before-encryption";
        await table.UpsertEntityAsync(new Azure.Data.Tables.TableEntity(Vendor, "config")
        {
            ["Url"] = crm.Url, ["Secret"] = legacy, ["SecretCreatedAt"] = Start, ["UpdatedAt"] = Start, ["UpdatedBy"] = "before",
        }, Azure.Data.Tables.TableUpdateMode.Replace);
        await CaptureAsync(app, "second@contoso.example");
        await QueueTriggerTests.WaitUntilAsync(() => Task.FromResult(crm.Requests.Count == 2));
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(crm.Requests[1].Signature, crm.Requests[1].Body, Encoding.UTF8.GetBytes(legacy), clock.GetUtcNow()));

        // The next save (a URL change, no rotation) keeps the secret and encrypts it.
        var put = await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/crm-webhook", new { url = crm.Url + "?v=2" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Null((await put.Content.ReadFromJsonAsync<CrmWebhookView>())!.Secret);
        row = (await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(Vendor, "config")).Value;
        Assert.DoesNotContain(row.Select(p => p.Value), v => v is string text && text.Contains("legacy-secret", StringComparison.Ordinal));
        Assert.Equal(legacy, (await app.Services.GetRequiredService<CrmWebhookStore>().GetConfigAsync(Vendor, default))!.Secret);
    }

    [Fact]
    public async Task A_config_row_copied_from_another_vendor_fails_closed_and_no_webhook_goes_out()
    {
        var clock = new FakeTimeProvider(Start);
        await using var crm = await new FakeCrm().StartAsync();
        await using var app = await StartAsync(clock, maxAttempts: 2);
        var (admin, _) = await ConfigureAsync(app, crm);
        // Fabrikam's configuration, its encrypted secret and all, pasted over Northwind's row.
        var other = await app.SignedInAsync("fabrikam", VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.OK, (await other.PutAsJsonAsync("/api/vendors/fabrikam/crm-webhook", new { url = crm.Url })).StatusCode);
        var table = await ConfigTableAsync(app);
        var theirs = (await table.GetEntityAsync<Azure.Data.Tables.TableEntity>("fabrikam", "config")).Value;
        theirs.PartitionKey = Vendor;
        await table.UpsertEntityAsync(theirs, Azure.Data.Tables.TableUpdateMode.Replace);
        Assert.Null((await app.Services.GetRequiredService<CrmWebhookStore>().GetConfigAsync(Vendor, default))!.Secret);

        var leadId = await CaptureAsync(app);

        CrmDeliveriesView? view = null;
        // Two attempts through the queue; a loaded shared Azurite can stall a queue for tens of seconds.
        await QueueTriggerTests.WaitUntilAsync(async () => (view = await admin.GetFromJsonAsync<CrmDeliveriesView>($"/api/vendors/{Vendor}/crm-webhook/deliveries"))!.DeadLetters.Count == 1,
            TimeSpan.FromSeconds(90));
        var dead = Assert.Single(view!.DeadLetters);
        Assert.Equal(Created(leadId), dead.EventId);
        Assert.Contains("secret cannot be read", dead.LastError);
        Assert.Empty(crm.Requests);
        // The console says so, and what to do.
        Assert.Contains("Your webhook secret cannot be read", await admin.GetStringAsync("/console/leads/crm"));

        // Rotating gives Northwind its own secret again, and the replay goes out signed with it.
        var rotated = (await (await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/crm-webhook", new { url = crm.Url, rotateSecret = true })).Content.ReadFromJsonAsync<CrmWebhookView>())!.Secret!;
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/vendors/{Vendor}/crm-webhook/dead-letters/{dead.EventId}/replay", null)).StatusCode);
        await QueueTriggerTests.WaitUntilAsync(() => Task.FromResult(crm.Requests.Count == 1));
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(crm.Requests[0].Signature, crm.Requests[0].Body, Encoding.UTF8.GetBytes(rotated), clock.GetUtcNow()));
        Assert.DoesNotContain("Your webhook secret cannot be read", await admin.GetStringAsync("/console/leads/crm"));
    }
}
