using Tcma.Domain.Mdf;
using Tcma.Domain.Workflows;
using Tcma.Functions.Hosting;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Mdf;

/// <summary>
/// The consumer of <c>mdf-commands</c>: what committed MDF steps left on the engine's outbox. Every kind is idempotent
/// (the ledger ignores what it booked, an email keeps its Message-ID, the request records a claim once), so a
/// redelivery or a message the wiring already acted on changes nothing. A malformed message throws and, after the
/// host's retries, lands in <c>mdf-commands-poison</c> with the reason logged.
/// </summary>
public static class MdfCommandFunctions
{
    public const string Name = "MdfCommands";

    public static async Task HandleAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        var message = MdfJson.Read<MdfCommandMessage>(invocation.TriggerText);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MdfCommandFunctions));
        switch (message.Kind)
        {
            case MdfCommandMessage.Ledger:
                var outcome = await services.GetRequiredService<FundLedgerStore>().ExecuteAsync(
                    message.FundId ?? throw new FormatException("a ledger message names its fund"), Currency.Of(message.Currency ?? ""),
                    message.Command ?? throw new FormatException("a ledger message carries its command"), ct);
                // A release that arrives after a lower one (queues do not keep order) is refused as an increase: that is the point.
                if (outcome.Decision.Refusal is { } refusal) logger.LogInformation("Fund {Fund}: {Refusal}", message.FundId, refusal);
                break;
            case MdfCommandMessage.PartnerEmail:
                await EmailPartnerAsync(message, services, ct);
                break;
            case MdfCommandMessage.ClaimOnRequest:
                var recorded = await services.GetRequiredService<MdfService>().RecordClaimAsync(message.VendorId,
                    message.RequestId ?? throw new FormatException("no request id"), message.ClaimId ?? throw new FormatException("no claim id"), ct);
                if (!recorded.IsOk) logger.LogWarning("Claim {Claim} not recorded on request {Request}: {Refusals}", message.ClaimId, message.RequestId, string.Join("; ", recorded.Refusals));
                break;
            case MdfCommandMessage.Payout:
                await CreatePayoutAsync(message, services, logger, ct);
                break;
            default:
                throw new FormatException($"unknown MDF command '{message.Kind}'");
        }
    }

    /// <summary>An approved claim becomes a payout finance exports; <see cref="PayoutStore.AddAsync"/> is idempotent by claim.</summary>
    private static async Task CreatePayoutAsync(MdfCommandMessage message, IServiceProvider services, ILogger logger, CancellationToken ct)
    {
        var payout = message.PayoutDue ?? throw new FormatException("a payout message carries the payout");
        await services.GetRequiredService<PayoutStore>().AddAsync(message.VendorId, payout, ct);
        logger.LogInformation("Payout {Reference} of {Amount} owed to {Partner} for claim {Claim}", payout.Reference, payout.Amount, payout.PartnerId, payout.ClaimId);
    }

    private static async Task EmailPartnerAsync(MdfCommandMessage message, IServiceProvider services, CancellationToken ct)
    {
        var partnerId = message.PartnerId ?? throw new FormatException("a partner email names the partner");
        var partner = await services.GetRequiredService<PartnerDirectory>().GetAsync(message.VendorId, partnerId, ct);
        if (partner is null)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MdfCommandFunctions))
                .LogWarning("Partner {Partner} of {Vendor} is not in the directory: no MDF email for {Subject}", partnerId, message.VendorId, message.SubjectId);
            return;
        }
        var contact = partner.Partner.PrimaryContact;
        var link = services.GetRequiredService<MdfLinks>().PartnerUrl(message.VendorId, partnerId);
        var subject = $"Your MDF {(message.SubjectId?.StartsWith('c') == true ? "claim" : "request")} {message.SubjectId}: {message.Status}";
        var text = $"Hello {contact.Name},\n\n{message.Text}\n\nSee its status, history and your fund: {link}\n";
        var html = $"<p>Hello {System.Net.WebUtility.HtmlEncode(contact.Name)},</p><p>{System.Net.WebUtility.HtmlEncode(message.Text)}</p>" +
                   $"<p><a href=\"{System.Net.WebUtility.HtmlEncode(link)}\">See its status, history and your fund</a></p>";
        await services.GetRequiredService<IWorkflowEmailSender>().SendAsync(new OutboxEmail(contact.Email, subject, text, html) { ToName = contact.Name },
            "mdf-partner/" + (message.Key ?? Guid.NewGuid().ToString("N")), ct);
    }
}
