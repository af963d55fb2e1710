using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Tcma.Domain.Leads;
using Tcma.Functions.Hosting;
using Tcma.Storage.Leads;
using Tcma.Storage.Messaging;

namespace Tcma.Functions.Leads;

public sealed class CrmWebhookOptions
{
    public const string Section = "Leads:CrmWebhooks";
    /// <summary>How long a CRM may take to answer one delivery.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan FirstDelay { get; set; } = new WebhookRetryPolicy().FirstDelay;
    public TimeSpan MaxDelay { get; set; } = new WebhookRetryPolicy().MaxDelay;
    public int MaxAttempts { get; set; } = new WebhookRetryPolicy().MaxAttempts;
    /// <summary>
    /// Whether a webhook may reach loopback and private addresses (a local CRM fake). Unset: only in Development.
    /// Elsewhere a vendor's URL must never become a way into our own network (cloud metadata endpoints, Azurite).
    /// </summary>
    public bool? AllowPrivateAddresses { get; set; }

    public WebhookRetryPolicy Policy => new() { FirstDelay = FirstDelay, MaxDelay = MaxDelay, MaxAttempts = MaxAttempts };
}

/// <summary>
/// A <see cref="CrmNotification"/> on <c>crm-webhooks</c>, as every sender writes it; a retry re-enqueues it with the
/// attempt number, and a replay with a new generation. A plain CrmNotification reads as attempt 1 of generation 0.
/// </summary>
/// <summary>
/// Builds the body for events of another capability that rides the same signed, versioned, retried delivery (deal
/// registrations: "deal.*"); null when the subject is gone.
/// </summary>
public interface ICrmPayloadSource
{
    bool Handles(string eventType);
    Task<string?> BodyAsync(string vendorId, CrmChange change, string eventId, CancellationToken ct);
}

public sealed record CrmDeliveryMessage(string VendorId, string EventId, CrmChange Change, int Attempt = 1, int Generation = 0);

/// <summary>
/// Delivers lead changes to the vendor's CRM: builds the versioned payload from the lead as it is now, signs it, POSTs it
/// with a timeout, and on failure re-enqueues it with <see cref="WebhookRetry"/>'s back-off as the message's visibility
/// delay, until the attempts run out and the delivery is dead-lettered (kept in <c>CrmDeliveries</c>, shown in the
/// console, replayable). One delivery row per event id, changed under its ETag, makes duplicates harmless: a delivered
/// event is not sent again, and an attempt another copy already made is not made twice.
/// </summary>
public sealed class CrmWebhookDelivery(
    CrmWebhookStore store, LeadStore leads, IMessageSender messages, IHttpClientFactory http, TimeProvider clock,
    IOptions<CrmWebhookOptions> options, ILogger<CrmWebhookDelivery> logger, IEnumerable<ICrmPayloadSource> sources)
{
    public const string FunctionName = "CrmWebhook";
    public const string HttpClientName = "crm-webhooks";

    internal static async Task HandleAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        // Any sender may write it: our own re-enqueue (PascalCase) or a workflow outbox (camelCase).
        var message = invocation.ReadMessage<CrmDeliveryMessage>(JsonSerializerOptions.Web);
        if (message is null || string.IsNullOrEmpty(message.VendorId) || string.IsNullOrEmpty(message.EventId) || message.Change is null
            || !Tcma.Storage.TableKeys.IsValid(message.VendorId) || !Tcma.Storage.TableKeys.IsValid(message.EventId) || message.Attempt < 1)
            throw new InvalidDataException("CRM notification lacks a vendor, a valid event id, a change or a positive attempt");
        await services.GetRequiredService<CrmWebhookDelivery>().DeliverAsync(message, invocation.DequeueCount, ct);
        // Every lead change passes here once as a first attempt (again only when redelivered, and then counted once).
        // Counted after the delivery, so the vendor's CRM never waits on a dashboard: a count that fails redelivers the
        // message, whose delivery is then a no-op.
        if (message is { Attempt: 1, Generation: 0 })
            await services.GetRequiredService<Dashboards.DashboardService>().CountLeadChangeAsync(message.VendorId, message.EventId, message.Change, ct);
    }

    public async Task DeliverAsync(CrmDeliveryMessage m, int dequeueCount, CancellationToken ct)
    {
        var notification = JsonSerializer.Serialize(new CrmNotification(m.VendorId, m.EventId, m.Change));
        var row = await store.GetOrCreateDeliveryAsync(m.VendorId, m.EventId, m.Change.EventType, m.Change.LeadId, notification, ct);
        if (row.Status != CrmDeliveryStatus.Pending || m.Generation != row.Generation) return;
        if (m.Attempt <= row.Attempts)
        {
            // This attempt's failure is recorded; the next message may not be on the queue if we died right after.
            if (m.Attempt == row.Attempts && dequeueCount > 1 && Decide(m.Attempt, m.EventId) is RetryDecision.RetryAfter retry)
                await messages.SendAsync(CrmNotification.Queue, m with { Attempt = retry.NextAttempt }, retry.Delay, ct);
            return;
        }
        var config = await store.GetConfigAsync(m.VendorId, ct);
        if (config is null)
        {
            logger.LogInformation("No CRM webhook for {VendorId}; event {EventId} not delivered", m.VendorId, m.EventId);
            return;
        }
        if (config.Secret is null)
            // Fail closed: never sign with a wrong or missing key. A failed attempt like any other, so it retries, then
            // dead-letters where the console shows it, replayable once the vendor rotates the secret.
            logger.LogError("CRM webhook secret of {VendorId} cannot be used ({Problem}); event {EventId} not sent", m.VendorId, config.SecretProblem, m.EventId);
        string body;
        if (sources.FirstOrDefault(s => s.Handles(m.Change.EventType)) is { } source)
            body = await source.BodyAsync(m.VendorId, m.Change, m.EventId, ct)
                ?? throw new InvalidDataException($"{m.Change.EventType} subject {m.Change.LeadId} of event {m.EventId} does not exist");
        else
        {
            var lead = await leads.GetAsync(m.VendorId, m.Change.LeadId, ct)
                ?? throw new InvalidDataException($"lead {m.Change.LeadId} of event {m.EventId} does not exist");
            body = CrmWebhook.Serialize(CrmWebhook.Build(lead, m.Change, m.EventId));
        }
        var now = clock.GetUtcNow();
        var (succeeded, status, error) = config.Secret is null
            ? (false, (int?)null, $"the webhook secret cannot be read ({config.SecretProblem}): rotate it")
            : await PostAsync(config, m, body, now, ct);

        var next = row.Copy();
        next.Attempts = m.Attempt;
        next.LastAttemptAt = now;
        next.LastError = error;
        var decision = succeeded ? null : Decide(m.Attempt, m.EventId);
        next.Status = succeeded ? CrmDeliveryStatus.Delivered : decision is RetryDecision.DeadLetter ? CrmDeliveryStatus.DeadLettered : CrmDeliveryStatus.Pending;
        if (decision is RetryDecision.DeadLetter dead) next.LastError = $"{error}; {dead.Reason}";
        if (!await store.TryUpdateDeliveryAsync(next, ct))
            return; // another copy of this message recorded this attempt and carries on from there
        var retryAfter = decision as RetryDecision.RetryAfter;
        await store.LogAsync(m.VendorId, new CrmDeliveryAttempt(m.EventId, m.Change.EventType, m.Change.LeadId, m.Attempt, now, succeeded, status, next.LastError,
            retryAfter is null ? null : now + retryAfter.Delay), ct);
        if (retryAfter is not null)
            await messages.SendAsync(CrmNotification.Queue, m with { Attempt = retryAfter.NextAttempt }, retryAfter.Delay, ct);
        if (next.Status == CrmDeliveryStatus.DeadLettered)
            logger.LogWarning("CRM delivery of {EventId} for {VendorId} dead-lettered: {Error}", m.EventId, m.VendorId, next.LastError);
    }

    /// <summary>Puts a dead-lettered delivery back on the queue as a new round of attempts; false when there is none to replay.</summary>
    public async Task<bool> ReplayAsync(string vendorId, string eventId, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var row = await store.GetDeliveryAsync(vendorId, eventId, ct);
            if (row is null || row.Status != CrmDeliveryStatus.DeadLettered) return false;
            var next = row.Copy();
            next.Status = CrmDeliveryStatus.Pending;
            next.Attempts = 0;
            next.Generation = row.Generation + 1;
            if (!await store.TryUpdateDeliveryAsync(next, ct)) continue;
            var notification = JsonSerializer.Deserialize<CrmNotification>(row.Notification)!;
            await messages.SendAsync(CrmNotification.Queue, new CrmDeliveryMessage(notification.VendorId, notification.EventId, notification.Change, 1, next.Generation), cancellationToken: ct);
            return true;
        }
        return false;
    }

    private RetryDecision Decide(int failedAttempt, string eventId) =>
        WebhookRetry.AfterFailure(failedAttempt, BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(eventId))), options.Value.Policy);

    private async Task<(bool Succeeded, int? Status, string? Error)> PostAsync(CrmWebhookConfig config, CrmDeliveryMessage m, string body, DateTimeOffset now, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, config.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Sign(body, Encoding.UTF8.GetBytes(config.Secret!), now));
        request.Headers.Add("Tcma-Event-Id", m.EventId);
        request.Headers.Add("Tcma-Event-Type", m.Change.EventType);
        request.Headers.UserAgent.ParseAdd("Tcma-Webhooks/1");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (true, code, null) : (false, code, $"the CRM answered {code} {response.ReasonPhrase}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, null, $"no answer within {options.Value.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return (false, null, $"could not reach the CRM: {e.Message}");
        }
    }

    /// <summary>
    /// A returning person's submission was merged into their open lead: tell the CRM. Called by LeadCaptured after the
    /// lead's row is written and before its queue message is deleted: that message is our outbox. A crash in between
    /// redelivers it, the store answers AlreadyRecorded, and this runs again with the same event id, so the CRM hears of
    /// every merge at least once and can drop repeats by eventId. Vendors without a webhook cost no message.
    /// </summary>
    public static async Task NotifyCapturedAsync(IServiceProvider services, ValidSubmission submission, Lead lead, CancellationToken ct)
    {
        // A new lead is announced by its routing workflow (lead.created, then each hop) through the workflow's outbox;
        // only a merge, which routes nothing, is announced from here.
        if (lead.Id == LeadStore.LeadId(submission.VendorId, submission.SubmissionId)) return;
        if (await services.GetRequiredService<CrmWebhookStore>().GetConfigAsync(lead.VendorId, ct) is null) return;
        var change = new CrmChange(CrmEventTypes.Merged, lead.Id, lead.PartnerId, submission.ReceivedAt);
        var eventId = $"{lead.Id}-merged-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(submission.SubmissionId)))[..16]}";
        await services.GetRequiredService<IMessageSender>().SendAsync(CrmNotification.Queue, new CrmNotification(lead.VendorId, eventId, change), cancellationToken: ct);
    }

    /// <summary>Connects only to public addresses unless allowed otherwise, checked on the address actually dialled (no DNS rebinding).</summary>
    internal static SocketsHttpHandler Handler(bool allowPrivate) => new()
    {
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            var allowed = addresses.Where(a => allowPrivate || IsPublic(a)).ToArray();
            if (allowed.Length == 0)
                throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves to no public address; webhooks only go to the internet");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return false;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast);
        var b = address.GetAddressBytes();
        return !(b[0] is 0 or 10 or 127 || b[0] >= 224 || (b[0] == 169 && b[1] == 254) || (b[0] == 172 && b[1] is >= 16 and <= 31)
                 || (b[0] == 192 && b[1] == 168) || (b[0] == 100 && b[1] is >= 64 and <= 127));
    }
}
