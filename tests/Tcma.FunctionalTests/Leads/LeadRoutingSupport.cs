using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Hosting;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Leads;
using Tcma.Storage.Leads;
using Tcma.Storage.Messaging;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.FunctionalTests.Leads;

/// <summary>Shared steps of the routing tests: partners in the directory, a lead through the real API, what the queues and pages say.</summary>
internal static partial class LeadRoutingSupport
{
    public static Partner Partner(string id, string name, string email, string tier = "Gold", string country = "DE",
        IReadOnlyList<string>? specialisations = null, PartnerLeadRouting? routing = null) =>
        new(id, name, tier, "EMEA", country, specialisations ?? [], [new PartnerContact($"{name} sales", email, "Sales", true)], PartnerStatus.Active)
        {
            LeadRouting = routing,
        };

    public static async Task SeedAsync(TcmaAppFactory app, string vendor, params Partner[] partners)
    {
        var directory = app.Services.GetRequiredService<PartnerDirectory>();
        foreach (var partner in partners)
            await directory.SaveAsync(vendor, partner, "test", DateTimeOffset.UtcNow);
    }

    public static async Task<HttpClient> ApiAsync(TcmaAppFactory app, string vendor) =>
        app.WithApiKey((await app.CreateApiKeyAsync(vendor, VendorRole.ChannelManager)).Key);

    /// <summary>Captures a lead through the public API and returns its id (the same id the queue function gives it).</summary>
    public static async Task<string> CaptureAsync(HttpClient api, string vendor, string country = "DE", string? product = null,
        string? postalCode = null, string? region = null, string? email = null, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/vendors/{vendor}/leads")
        {
            Content = JsonContent.Create(new
            {
                email = email ?? $"person-{Guid.NewGuid():N}@customer.example",
                firstName = "Ana",
                lastName = "<b>Silva</b>",
                company = "Contoso GmbH",
                country,
                region,
                postalCode,
                productInterest = product,
                consentText = "I agree to be contacted by the vendor and its partners.",
                sourcePage = "https://vendor.example/form",
                ipAddress = "203.0.113.9",
            }),
        };
        request.Headers.Add(LeadEndpoints.IdempotencyKeyHeader, key ?? Guid.NewGuid().ToString("N"));
        var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var submission = (await response.Content.ReadFromJsonAsync<JsonObject>())!["submissionId"]!.GetValue<string>();
        return LeadStore.LeadId(vendor, submission);
    }

    public static LeadRoutingService Routing(TcmaAppFactory app) => app.Services.GetRequiredService<LeadRoutingService>();

    public static async Task<LeadWorkflowState> StateAsync(TcmaAppFactory app, string vendor, string leadId) =>
        (await Routing(app).GetAsync(vendor, leadId, CancellationToken.None))!.Value.State;

    /// <summary>Waits until the lead's workflow satisfies <paramref name="condition"/> (queues are processed by the local trigger host).</summary>
    public static async Task<LeadWorkflowState> WaitForAsync(TcmaAppFactory app, string vendor, string leadId, Func<LeadWorkflowState, bool> condition)
    {
        LeadWorkflowState? state = null;
        await QueueTriggerTests.WaitUntilAsync(async () =>
            (await Routing(app).GetAsync(vendor, leadId, CancellationToken.None)) is { } s && condition(state = s.State));
        return state!;
    }

    public static async Task<Lead> LeadAsync(TcmaAppFactory app, string vendor, string leadId) =>
        (await app.Services.GetRequiredService<LeadStore>().GetAsync(vendor, leadId, CancellationToken.None))!;

    /// <summary>The lead row once it satisfies <paramref name="condition"/> (the row follows the workflow right after each change).</summary>
    public static async Task<Lead> LeadWhenAsync(TcmaAppFactory app, string vendor, string leadId, Func<Lead, bool> condition)
    {
        Lead? lead = null;
        await QueueTriggerTests.WaitUntilAsync(async () => (lead = await LeadAsync(app, vendor, leadId)) is not null && condition(lead));
        return lead!;
    }

    /// <summary>The CRM notifications waiting on <c>crm-webhooks</c> (nothing consumes them in these tests).</summary>
    public static async Task<List<CrmNotification>> CrmAsync(TcmaAppFactory app)
    {
        var queue = new QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{CrmNotification.Queue}");
        await queue.CreateIfNotExistsAsync();
        var list = new List<CrmNotification>();
        // Peek shows at most 32; receive with a long invisibility would hide them from a second look, so tests stay under 32.
        foreach (var m in (await queue.PeekMessagesAsync(32)).Value)
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString()));
            Assert.True(MessageEnvelope.TryRead(text, out var envelope));
            list.Add(JsonSerializer.Deserialize<CrmNotification>(envelope.Body!, JsonSerializerOptions.Web)!);
        }
        // The outbox sends at least once (the sweeper may resend what a slow dispatch was still sending): a resend carries
        // the same EventId and content, which is how the CRM recognises it. A second real event would carry a new EventId.
        foreach (var resent in list.GroupBy(n => n.EventId).Where(g => g.Count() > 1))
            Assert.Single(resent.Distinct());
        // Commits dispatch their outboxes independently, so the queue order is not the order of events; the per-lead
        // sequence number in the EventId is (the CRM delivery and the CRM can sort by it).
        return [.. list.DistinctBy(n => n.EventId).OrderBy(n => n.EventId, StringComparer.Ordinal)];
    }

    public static Task SweepAsync(TcmaAppFactory app) => app.Services.GetRequiredService<WorkflowEngine>().SweepAsync();

    /// <summary>
    /// The distinct emails to <paramref name="recipient"/>, oldest first, once there are at least <paramref name="count"/>.
    /// The outbox sends at least once; a resend has the same Message-ID (mail clients show it once), so it counts once here.
    /// </summary>
    public static async Task<IReadOnlyList<ReceivedEmail>> MailsAsync(TcmaAppFactory app, string recipient, int count = 1)
    {
        IReadOnlyList<ReceivedEmail> distinct = [];
        await QueueTriggerTests.WaitUntilAsync(async () => (distinct = Distinct(await app.Inbox.ToAsync(recipient))).Count >= count);
        return distinct;
    }

    public static IReadOnlyList<ReceivedEmail> Distinct(IEnumerable<ReceivedEmail> mails) =>
        [.. mails.DistinctBy(m => m.Headers.TryGetValue("message-id", out var id) ? id.ToString() : m.Id)];

    /// <summary>The Accept (or Reject) link of the newest offer email to <paramref name="recipient"/>, as a path and query on this app.</summary>
    public static async Task<string> LinkFromEmailAsync(TcmaAppFactory app, string recipient, string label, int count = 1)
    {
        var mails = await MailsAsync(app, recipient, count);
        var mail = mails.Last(m => m.Subject?.StartsWith("New lead", StringComparison.Ordinal) == true);
        var match = Regex.Match(mail.Text!, $@"^{label}: (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"the email has a {label} link");
        return new Uri(match.Groups[1].Value).PathAndQuery;
    }

    /// <summary>GETs a page and posts its form back with the antiforgery token, as a browser would.</summary>
    public static async Task<(HttpResponseMessage Response, string Body)> PostFormAsync(HttpClient client, string url, string formName, Dictionary<string, string>? fields = null) =>
        await SubmitAsync(client, url, await OpenFormAsync(client, url), formName, fields);

    /// <summary>Opens a page with a form and keeps its antiforgery token, for a submit that comes later (a page left open).</summary>
    public static async Task<string> OpenFormAsync(HttpClient client, string url)
    {
        var page = await client.GetStringAsync(url);
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "the page renders a form with an antiforgery token");
        return WebUtility.HtmlDecode(token.Groups[1].Value);
    }

    public static async Task<(HttpResponseMessage Response, string Body)> SubmitAsync(HttpClient client, string url, string antiforgery, string formName, Dictionary<string, string>? fields = null)
    {
        var form = new Dictionary<string, string>(fields ?? [])
        {
            ["__RequestVerificationToken"] = antiforgery,
            ["_handler"] = formName,
        };
        var response = await client.PostAsync(url, new FormUrlEncodedContent(form));
        return (response, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
