using System.Net;
using Microsoft.Extensions.Options;
using Tcma.Domain.Mdf;
using Tcma.Domain.Workflows;
using Tcma.Functions.Hosting;
using Tcma.Functions.Identity;
using Tcma.Storage;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Mdf;

public sealed class FundExpiryOptions
{
    public const string Section = "Mdf:Expiry";
    /// <summary>Where partners open the links in reminder emails.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:7071";
    /// <summary>The signed-link purpose of the partner's MDF page.</summary>
    public string PartnerLinkPurpose { get; set; } = "mdf";
    public int Parallelism { get; set; } = 4;
}

/// <summary>What one run did; a second run right after does nothing more.</summary>
public sealed record FundExpiryRunResult(int Expired, int AlreadyExpired, int Reminded, int Skipped);

/// <summary>A fund whose available money expires soon, with whose it is.</summary>
public sealed record FundAtRiskLine(FundSchedule Schedule, string PartnerName, FundAtRisk Risk);

/// <summary>
/// The end of the period, run daily by a timer: funds whose period ended expire what is available (booked on the
/// ledger, idempotent), and partners with money left are reminded 30 and 7 days before, once each.
/// </summary>
public sealed class FundExpiryRun(
    StorageAccount storage, ExpiryStore expiries, FundLedgerStore funds, PartnerDirectory partners, WorkflowEngine workflows, LinkTokens links,
    IOptions<FundExpiryOptions> options, TimeProvider clock, ILogger<FundExpiryRun> logger)
{
    public const string FunctionName = "MdfFundExpiry";
    /// <summary>Five past midnight UTC: periods end at midnight, so expiry happens within minutes of the end.</summary>
    public const string Schedule = "0 5 0 * * *";
    public const string Actor = "system:mdf-expiry";

    private static readonly int Horizon = FundExpiry.ReminderDaysBefore.Max() + 1;

    /// <summary>The programs of the MDF flow (MdfProgramStore: partition = vendor, row = program id, the program as JSON in <c>Program</c>).</summary>
    public const string ProgramsTable = Tcma.Storage.Mdf.MdfProgramStore.TableName;

    public async Task<FundExpiryRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        await DiscoverAsync(cancellationToken);
        var now = clock.GetUtcNow();
        int expired = 0, already = 0, reminded = 0, skipped = 0;
        var work = expiries.OpenEndingBeforeAsync(now.AddDays(Horizon), cancellationToken);
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken }, async (fund, ct) =>
        {
            try
            {
                var (e, a, r, s) = await ProcessAsync(fund, now, ct);
                Interlocked.Add(ref expired, e);
                Interlocked.Add(ref already, a);
                Interlocked.Add(ref reminded, r);
                Interlocked.Add(ref skipped, s);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One fund failing (storage hiccup, SMTP down) must not hold up every other partner's expiry.
                logger.LogError(e, "MDF expiry of fund {Fund} of {Vendor} failed; the next run retries it", fund.Schedule.FundId, fund.Schedule.VendorId);
                failures.Add(e);
            }
        });
        if (expired + reminded + skipped + failures.Count > 0)
            logger.LogInformation("MDF expiry run: {Expired} funds expired, {Reminded} reminders, {Skipped} skipped, {Failed} failed", expired, reminded, skipped, failures.Count);
        // The invocation reports the failures (so they show as a failed run), after every other fund was handled.
        if (!failures.IsEmpty) throw new AggregateException($"{failures.Count} fund(s) could not be handled by the MDF expiry run", failures);
        return new FundExpiryRunResult(expired, already, reminded, skipped);
    }

    private async Task<(int Expired, int AlreadyExpired, int Reminded, int Skipped)> ProcessAsync(ScheduledFund fund, DateTimeOffset now, CancellationToken ct)
    {
        var s = fund.Schedule;
        if (now >= s.Period.ExpiresAt)
        {
            var outcome = await funds.ExecuteAsync(s.FundId, s.Currency, new ExpireFunds(s.Period.ExpiresAt, Actor, now), ct);
            if (outcome.Decision.Refusal is { } refusal)
            {
                logger.LogError("Fund {Fund} of {Vendor} could not expire: {Refusal}", s.FundId, s.VendorId, refusal);
                return (0, 0, 0, 1);
            }
            await expiries.MarkExpiredAsync(s.VendorId, s.FundId, ct);
            return outcome.Decision.IsNoOp ? (0, 1, 0, 0) : (1, 0, 0, 0);
        }
        var balance = await funds.GetAsync(s.FundId, s.Currency, ct);
        int reminded = 0, skipped = 0;
        foreach (var reminder in FundExpiry.Due(balance, s.Period, now, fund.LastReminderDaysBefore))
        {
            if (await ReminderAsync(s, reminder, ct) is not { } email)
            {
                skipped++;
                continue;
            }
            var started = await workflows.StartAsync(ExpiryReminderWorkflow.TypeName, s.FundId, ExpiryReminderWorkflow.Event(new(reminder.DaysBefore, email)), ct);
            await expiries.MarkRemindedAsync(s.VendorId, s.FundId, reminder.DaysBefore, ct);
            if (started.Outcome == WorkflowOutcome.Applied) reminded++;
        }
        return (0, 0, reminded, skipped);
    }

    /// <summary>
    /// Registers program funds nobody registered: a fund id <c>{vendor}~{program}~{partner}</c> (the MDF flow's
    /// FundKey) whose program is stored gets its program's period. Registration is idempotent, so this is safe to
    /// repeat, and a fund created by any path (allocation, accrual import) is found by the next run.
    /// </summary>
    public async Task<int> DiscoverAsync(CancellationToken cancellationToken = default)
    {
        var known = await expiries.RegisteredFundIdsAsync(cancellationToken);
        var programs = new Dictionary<(string Vendor, string Program), MdfProgram?>();
        var added = 0;
        await foreach (var fundId in funds.ListFundIdsAsync(cancellationToken))
        {
            if (known.Contains(fundId) || fundId.Split('~') is not [var vendor, var programId, var partnerId] || vendor.Length == 0 || programId.Length == 0 || partnerId.Length == 0)
                continue;
            if (!programs.TryGetValue((vendor, programId), out var program))
                programs[(vendor, programId)] = program = await ProgramAsync(vendor, programId, cancellationToken);
            if (program is null) continue;
            await expiries.RegisterAsync(new FundSchedule(vendor, partnerId, fundId, program.Id, program.Name, program.Period, program.Currency), cancellationToken);
            added++;
        }
        return added;
    }

    private async Task<MdfProgram?> ProgramAsync(string vendorId, string programId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(vendorId) || !TableKeys.IsValid(programId)) return null;
        var table = await storage.TableAsync(ProgramsTable, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(vendorId, programId, cancellationToken: cancellationToken);
        if (!row.HasValue || row.Value!.GetString("Program") is not { } json) return null;
        try
        {
            return MdfJson.Read<MdfProgram>(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            logger.LogError(e, "Program {Program} of {Vendor} cannot be read: its funds are not scheduled to expire", programId, vendorId);
            return null;
        }
    }

    private async Task<OutboxEmail?> ReminderAsync(FundSchedule s, ExpiryReminder reminder, CancellationToken ct)
    {
        var partner = await partners.GetAsync(s.VendorId, s.PartnerId, ct);
        if (partner is null || string.IsNullOrWhiteSpace(partner.Partner.PrimaryContact.Email))
        {
            logger.LogWarning("No contact to remind for fund {Fund}: partner {Partner} of {Vendor} is unknown or has no email", s.FundId, s.PartnerId, s.VendorId);
            return null;
        }
        var token = links.Create(options.Value.PartnerLinkPurpose, s.PartnerId, s.VendorId, s.Period.ExpiresAt - clock.GetUtcNow() + TimeSpan.FromDays(1));
        var link = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/partner/mdf?t={Uri.EscapeDataString(token)}";
        var lastDay = s.Period.End.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
        // A late run still warns, with the days really left rather than the reminder's nominal 30 or 7.
        var daysLeft = (int)Math.Ceiling((s.Period.ExpiresAt - clock.GetUtcNow()).TotalDays);
        var when = daysLeft == 1 ? "tomorrow" : $"in {daysLeft} days";
        var contact = partner.Partner.PrimaryContact;
        string H(string text) => WebUtility.HtmlEncode(text);
        var text = $"""
            Hello {contact.Name},

            {partner.Partner.CompanyName} has {reminder.Available} of market development funds in {s.ProgramName} ({s.Period}) that no activity uses yet.
            Unused funds expire after {lastDay} (UTC), {when}.

            Propose an activity now: {link}
            """;
        var html = $"""
            <p>Hello {H(contact.Name)},</p>
            <p>{H(partner.Partner.CompanyName)} has <strong>{H(reminder.Available.ToString())}</strong> of market development funds in {H(s.ProgramName)} ({H(s.Period.ToString())}) that no activity uses yet.
            Unused funds expire after <strong>{H(lastDay)}</strong> (UTC), {when}.</p>
            <p><a href="{H(link)}">Propose an activity</a></p>
            """;
        return new OutboxEmail(contact.Email, $"{reminder.Available} of MDF expires after {lastDay}", text, html) { ToName = contact.Name };
    }

    /// <summary>The vendor's funds with money that expires within 30 days, largest first.</summary>
    public async Task<IReadOnlyList<FundAtRiskLine>> AtRiskAsync(string vendorId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var lines = new List<FundAtRiskLine>();
        foreach (var fund in (await expiries.ListAsync(vendorId, cancellationToken)).Where(f => !f.Expired && now < f.Schedule.Period.ExpiresAt && now >= f.Schedule.Period.ExpiresAt.AddDays(-30)))
        {
            var s = fund.Schedule;
            var balance = await funds.GetAsync(s.FundId, s.Currency, cancellationToken);
            foreach (var risk in FundExpiry.AtRisk([(s.PartnerId, balance)], s.Period, now))
            {
                var partner = await partners.GetAsync(vendorId, s.PartnerId, cancellationToken);
                lines.Add(new FundAtRiskLine(s, partner?.Partner.CompanyName ?? s.PartnerId, risk));
            }
        }
        return lines.OrderBy(l => l.Risk.DaysLeft).ThenBy(l => l.Risk.Available.Currency.Code, StringComparer.Ordinal)
            .ThenByDescending(l => l.Risk.Available.Amount).ThenBy(l => l.Schedule.PartnerId, StringComparer.Ordinal).ToList();
    }
}

public static class FundExpiryFunctions
{
    public static WebApplicationBuilder AddMdfExpiry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FundExpiryOptions>().BindConfiguration(FundExpiryOptions.Section);
        builder.Services.AddSingleton<ExpiryStore>();
        builder.Services.AddSingleton<FundExpiryRun>();
        builder.Services.AddWorkflow<ExpiryReminderWorkflow>();
        builder.Services.AddFunction(new FunctionDefinition(FundExpiryRun.FunctionName, new TimerFunctionTrigger(FundExpiryRun.Schedule),
            (_, services, ct) => services.GetRequiredService<FundExpiryRun>().RunAsync(ct)));
        return builder;
    }
}
