using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tcma.Domain;
using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Storage;
using Tcma.Storage.Launches;
using Tcma.Storage.Leads;
using Tcma.Storage.Messaging;

namespace Tcma.Functions.Leads;

public sealed class LeadErasureOptions
{
    public const string Section = "Leads:Erasure";
    /// <summary>
    /// Base64, 32+ bytes: the key of the email hash in erasure records. Set it in production and never change it, or
    /// "was this person erased?" stops answering for older records. Unset, it is derived from the active link-token key.
    /// </summary>
    public string? HashKey { get; set; }
}

public sealed record ErasureRequest(string? Email);

/// <summary>
/// What an erasure did: the leads it erased now, every erasure of this person on record (anonymous), and the campaign
/// side: what this run blanked (<paramref name="CampaignsNow"/>) and the record's totals over every run.
/// </summary>
public sealed record ErasureView(int LeadsErased, bool AlreadyErased, IReadOnlyList<ErasureRecord> Records, CampaignErasure CampaignsNow, CampaignErasure Campaigns);

/// <summary>
/// GDPR erasure of a person for one vendor, everywhere their data is kept: the leads (person, every consent's page and
/// IP, every activity), the LeadEmails index, the import files they were in, and captured-message payload blobs. What
/// remains is the anonymous <see cref="ErasureRecord"/> and what the domain keeps (country, size, interest, status,
/// dates). The CRM hears <c>lead.erased</c> so it can erase too. Erasing again changes nothing and says so.
/// </summary>
public sealed class LeadErasures(
    ErasureStore store, CrmWebhookStore crm, StorageAccount storage, IMessageSender messages, TimeProvider clock,
    IOptions<LeadErasureOptions> options, IOptions<TokenOptions> tokens,
    LaunchStore launches, CampaignSendLog sends, ClickTracking clicks, SuppressionList suppressions)
{
    public byte[] HashKey => options.Value.HashKey is { Length: > 0 } key
        ? Convert.FromBase64String(key)
        : HMACSHA256.HashData(tokens.Value.ToKeys().Keys.GetValueOrDefault(tokens.Value.ActiveKey ?? "") ?? Encoding.UTF8.GetBytes("tcma-development"), "tcma erasure email hash"u8);

    public async Task<ErasureView> EraseAsync(string vendorId, string email, string by, CancellationToken ct)
    {
        var normalised = LeadNormalisation.Email(email);
        var notify = await crm.GetConfigAsync(vendorId, ct) is not null;
        var erased = await store.EraseLeadsAsync(vendorId, normalised, by, clock.GetUtcNow(), HashKey, async leadIds =>
        {
            // Before the index goes: a crash after this point is redone by erasing again, which finds the index and tells the CRM again (same event ids).
            if (notify)
                foreach (var leadId in leadIds)
                    await messages.SendAsync(CrmNotification.Queue, new CrmNotification(vendorId, $"{leadId}-erased", new CrmChange(CrmEventTypes.Erased, leadId, null, clock.GetUtcNow())), cancellationToken: ct);
        }, ct);
        await ScrubImportFilesAsync(vendorId, normalised, ct);
        await DeleteCapturedPayloadsAsync(vendorId, normalised, ct);
        var hash = LeadErasure.EmailHash(vendorId, normalised, HashKey);
        var (now, campaigns) = await EraseCampaignDataAsync(vendorId, normalised, hash, ct);
        var records = await store.RecordsAsync(vendorId, hash, ct);
        var nothingNew = erased.NewRecords.Count == 0 && now is { Sends: 0, Clicks: 0, ContactLists: 0, Partners: 0 };
        var erasedBefore = records.Count > 0 || campaigns.Sends + campaigns.Clicks + campaigns.ContactLists + campaigns.Partners > 0;
        return new ErasureView(erased.NewRecords.Count, nothingNew && erasedBefore, records, now, campaigns);
    }

    /// <summary>
    /// The person in the vendor's campaign data: every launch's sends and clicks, every stored contact list.
    /// </summary>
    /// <remarks>
    /// Order, so a crash at any point loses nothing: the record is begun (CompletedAt null says "unfinished"); the
    /// partners who ever had the person are found (their contact lists, and sends, which are found by the contact key
    /// in the SendId, so still after their address was blanked); each of those partners' suppression lists gets the
    /// erased person's hashed row, before anything is scrubbed, so no touch of a running launch, and no message already
    /// on the queue, can email them from then on (the mailer consults that list before every send); then sends and
    /// clicks are blanked in place (rows and states stay, so the status page's counts do not move) and the person is
    /// taken out of the contact lists. Erasing again finishes a run that died: every step skips what is already done,
    /// and the record adds only what the new run changed. Engagement rows carry the contact key only, no address.
    /// Everything is under the vendor's own partitions and blob prefix: another vendor's data is never read.
    /// </remarks>
    private async Task<(CampaignErasure Now, CampaignErasure Total)> EraseCampaignDataAsync(string vendorId, string email, string hash, CancellationToken ct)
    {
        var started = await store.BeginCampaignErasureAsync(vendorId, hash, clock.GetUtcNow(), ct);
        var lists = await launches.ContactListsWithAsync(vendorId, email, ct);
        var partners = new HashSet<string>(lists.Select(l => l.PartnerId), StringComparer.Ordinal);
        var launchSends = new List<(LaunchRecord Launch, IReadOnlyList<CampaignSendLog.PersonSend> Sends)>();
        foreach (var launch in await launches.LaunchesAsync(vendorId, ct))
        {
            var found = await sends.SendsOfAsync(vendorId, launch.LaunchId, email, ct);
            if (found.Count == 0) continue;
            launchSends.Add((launch, found));
            partners.Add(launch.PartnerId);
        }
        var now = started with { Sends = 0, Clicks = 0, ContactLists = 0, Partners = 0 };
        foreach (var partner in partners)
            if (await suppressions.SuppressErasedAsync(vendorId, partner, email, clock.GetUtcNow(), ct))
                now = now with { Partners = now.Partners + 1 };
        foreach (var (launch, found) in launchSends)
        {
            foreach (var send in found)
                if (await sends.RedactRecipientAsync(vendorId, launch.LaunchId, send.SendId, email, ct))
                    now = now with { Sends = now.Sends + 1 };
            now = now with { Clicks = now.Clicks + await clicks.RedactRecipientAsync(vendorId, launch.LaunchId, found.Select(s => s.SendId).ToHashSet(StringComparer.Ordinal), ct) };
        }
        foreach (var (blob, _) in lists)
            if (await launches.RemoveContactAsync(blob, email, ct))
                now = now with { ContactLists = now.ContactLists + 1 };
        var total = await store.CompleteCampaignErasureAsync(vendorId, now, clock.GetUtcNow(), ct);
        return (now with { CompletedAt = total.CompletedAt }, total);
    }

    /// <summary>
    /// Blanks every cell of each row of the person in the vendor's kept import files. The row stays (empty), so the row
    /// numbers other leads point to still match; the file is written back only under the ETag it was read with.
    /// </summary>
    private async Task ScrubImportFilesAsync(string vendorId, string email, CancellationToken ct)
    {
        var container = await storage.ContainerAsync(LeadImports.Container, ct);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, TableKeys.Check(vendorId, "vendor id") + "/", ct))
        {
            for (var attempt = 1; attempt <= 5; attempt++)
            {
                var client = container.GetBlobClient(blob.Name);
                var content = await client.DownloadContentAsync(ct);
                var (parser, _) = CsvUpload.Open(content.Value.Content.ToStream(), LeadImports.Limits.MaxBytes * 2, 10_000);
                if (parser is null) break;
                var rows = new List<string[]>();
                using (parser)
                    while (parser.Read()) rows.Add(parser.Record!);
                if (rows.Count == 0) break;
                var emailColumn = Array.FindIndex(rows[0], h => h.Trim().Replace('_', ' ').ToLowerInvariant() is "email" or "e-mail" or "email address" or "work email");
                var changed = false;
                for (var i = 1; i < rows.Count; i++)
                    if (rows[i].Any(c => LeadNormalisation.Email(c) == email) || emailColumn >= 0 && emailColumn < rows[i].Length && LeadNormalisation.Email(rows[i][emailColumn]) == email)
                    {
                        rows[i] = new string[rows[0].Length];
                        changed = true;
                    }
                if (!changed) break;
                var text = string.Concat(rows.Select(r => CsvText.Line(r)));
                try
                {
                    await client.UploadAsync(BinaryData.FromString(text), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = content.Value.Details.ETag } }, ct);
                    break;
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                }
            }
        }
    }

    /// <summary>Captured submissions too big for a queue message wait in a blob; the person's are deleted.</summary>
    private async Task DeleteCapturedPayloadsAsync(string vendorId, string email, CancellationToken ct)
    {
        var container = await storage.ContainerAsync(MessageEnvelope.PayloadContainer, ct);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, storage.Names.Queue(LeadEndpoints.CapturedQueue) + "/", ct))
        {
            LeadSubmission? submission;
            try
            {
                submission = JsonSerializer.Deserialize<LeadSubmission>((await container.GetBlobClient(blob.Name).DownloadContentAsync(ct)).Value.Content.ToString());
            }
            catch (JsonException)
            {
                continue;
            }
            if (submission?.VendorId == vendorId && submission.Email is { } e && LeadNormalisation.Email(e) == email)
                await container.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: ct);
        }
    }
}

public static class LeadErasureEndpoints
{
    public static WebApplicationBuilder AddLeadErasure(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ErasureStore>();
        builder.Services.AddSingleton<LeadErasures>();
        builder.Services.AddOptions<LeadErasureOptions>().BindConfiguration(LeadErasureOptions.Section);
        return builder;
    }

    public static WebApplication MapLeadErasure(this WebApplication app)
    {
        app.MapPost("/api/vendors/{vendorId}/erasures", Erase).RequireVendorScope().WithTags("Leads")
            .RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        return app;
    }

    /// <summary>200 with what was erased; the same request again is 200 with AlreadyErased. 400 when the email is missing or malformed.</summary>
    private static async Task<Results<Ok<ErasureView>, ValidationProblem>> Erase(
        string vendorId, ErasureRequest? body, ClaimsPrincipal user, LeadErasures erasures, CancellationToken ct)
    {
        var email = body?.Email?.Trim();
        if (string.IsNullOrEmpty(email) || email.Length > 254 || !SubmissionValidation.IsEmail(LeadNormalisation.Email(email)))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = ["must be the person's email address"] }, title: "Nothing was erased.");
        return TypedResults.Ok(await erasures.EraseAsync(vendorId, email, KitEndpoints.Actor(user), ct));
    }
}
