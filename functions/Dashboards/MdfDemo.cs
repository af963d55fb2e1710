using Tcma.Functions.Hosting;
using Tcma.Domain.Mdf;
using Tcma.Domain.Partners;
using Tcma.Functions.Mdf;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Dashboards;

/// <summary>
/// The demo's MDF (Development only, vendor <c>demo</c> of <c>./tcma run</c>): a program for this quarter allocated to
/// every active demo partner, and requests and claims in every state, made through the MDF services as partners,
/// approvers and finance would (the ledger, the workflows, their approval emails and timers, the payout export).
/// The people who approve are the development sign-in's default user, so what waits, waits for whoever signs in.
/// </summary>
/// <remarks>
/// A request expires when its activity starts undecided and a claim waits until its activity is over, so a quarter's
/// history cannot be made at one instant. The services are therefore built a second time on a clock that is set back
/// to each step's moment since the quarter began (never later than now); the workflows' later timers run on the real
/// clock like any other. Every step is idempotent (stable request ids, claims named by their content, decisions
/// taken only from the state that needs them), so a restart finishes what is missing and repeats nothing.
/// </remarks>
public sealed class MdfDemo(IServiceProvider services, MdfProgramStore programs, PartnerDirectory partners, PayoutService payouts, TimeProvider clock, ILogger<MdfDemo> logger)
{
    public const string Approver = "you@demo.example";
    private static readonly byte[] ProofPdf = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"u8.ToArray();

    public static string ProgramId(DateOnly today) => $"demo-{today.Year}-q{(today.Month - 1) / 3 + 1}";

    public async Task SeedAsync(string vendorId, CancellationToken ct)
    {
        var realNow = clock.GetUtcNow();
        var program = Program(Days.Of(realNow));
        if (program.Check() is { Count: > 0 } problems) throw new InvalidOperationException("The demo MDF program is not valid: " + string.Join(" ", problems.Select(p => p.Message)));
        var start = Days.StartOf(program.Period.Start);
        var elapsed = realNow - start;

        var steps = new StepClock(start.AddHours(1) < realNow ? start.AddHours(1) : realNow);
        var engine = ActivatorUtilities.CreateInstance<WorkflowEngine>(services, (TimeProvider)steps);
        var mdf = ActivatorUtilities.CreateInstance<MdfService>(services, engine, (TimeProvider)steps);
        var programService = ActivatorUtilities.CreateInstance<MdfProgramService>(services, (TimeProvider)steps);
        // A step whose moment is still ahead is not taken: on a quarter's first days the demo has less history.
        bool At(DateTimeOffset moment) { if (moment > realNow) return false; steps.Now = moment; return true; }

        if (await programs.GetAsync(vendorId, program.Id, ct) is null)
            await programs.CreateAsync(vendorId, program, "demo", steps.Now, ct);
        program = (await programs.GetAsync(vendorId, program.Id, ct))!.Program;
        var active = (await partners.ListAsync(vendorId, ct: ct)).Where(p => p.Partner.Status == PartnerStatus.Active)
            .Select(p => p.Partner.Id).Order(StringComparer.Ordinal).ToList();
        await programService.AllocateAsync(vendorId, program, active, "demo", ct);

        var approver = new Actor("dev:" + Approver);
        var toPay = new List<string>();
        var (requested, approved, claimed) = (0, 0, 0);
        // Twelve partners propose; what becomes of each is fixed by its place, so every state shows.
        foreach (var (partnerId, i) in active.Take(12).Select((p, i) => (p, i)))
        {
            // The first four still wait (for the approver, or for the partner's answer): sent in the last days, for an activity ahead.
            // The rest were sent through the quarter so far, each for a one-day activity two days after.
            var sent = i < 4 ? realNow.AddDays(-(4 - i)).AddHours(-1) : start + elapsed * (0.05 + 0.75 * (i - 4) / 8.0);
            if (sent < start) sent = start;
            var day = i < 4 ? Days.Of(realNow).AddDays(10) : Days.Of(sent).AddDays(2);
            if (day > program.Period.End || !At(sent)) continue;
            var cost = 1_500m + i * 250m; // within the 5,000 each partner has, so every request is funded
            var digital = i % 3 == 0;
            var proposal = new Proposal(digital ? "digital" : "events", digital ? "Search and social ads for the new range" : "Partner breakfast for IT managers",
                day, day, Usd(cost), Usd(digital ? cost : cost / 2), 10 + i, Usd(cost * 12), []);
            var submitted = await mdf.SubmitAsync(vendorId, partnerId, program.Id, proposal, new Actor($"partner:{partnerId}", partnerId), $"demo-{program.Id}-{partnerId}", ct);
            if (submitted.State is not { } request || submitted.Refusals.Count > 0)
            {
                logger.LogWarning("Demo MDF request of {Partner} refused: {Refusals}", partnerId, string.Join("; ", submitted.Refusals.Select(r => r.Message)));
                continue;
            }
            requested++;
            if (i < 3) continue;
            var decideAt = i == 3 ? sent.AddDays(1) : sent.AddHours(4);
            if (request.Status == FundRequestStatus.PendingApproval && At(decideAt))
            {
                FundRequestEvent decision = i switch
                {
                    3 => new AskForInformation(request.Step, "Which products will the event show?", approver),
                    4 => new RejectRequest(request.Step, "Outside this quarter's focus", approver),
                    _ => new ApproveRequest(request.Step, null, approver),
                };
                var decided = await mdf.ActOnRequestAsync(vendorId, request.RequestId, decision, $"demo-decide-{request.RequestId}", ct);
                if (decided.Refusals.Count > 0) logger.LogWarning("Demo MDF decision on {Request} refused: {Refusals}", request.RequestId, string.Join("; ", decided.Refusals.Select(r => r.Message)));
                request = decided.State ?? request;
            }
            if (request.Status is not (FundRequestStatus.Approved or FundRequestStatus.Claimed)) continue;
            approved++;
            if (i is 5 or 6) continue; // approved, not claimed yet

            var proof = new ProofUpload(new ProofFile("invoice.pdf", "application/pdf", ProofPdf.Length), ProofPdf);
            var submission = new ClaimSubmission(Usd(cost - 250m), null, [proof.File], 8 + i, Usd(cost * 10), "Attendance list and invoice attached");
            if (!At(Days.StartOf(day.AddDays(1)).AddHours(10))) continue;
            var claim = (await mdf.SubmitClaimAsync(vendorId, partnerId, request.RequestId, submission, [proof], new Actor($"partner:{partnerId}", partnerId), ct)).State;
            if (claim is null) continue;
            claimed++;
            if (i == 7) continue; // waiting for finance
            if (claim.Status == ClaimStatus.PendingApproval && At(Days.StartOf(day.AddDays(2)).AddHours(11)))
                claim = (await mdf.ActOnClaimAsync(vendorId, claim.ClaimId, new ApproveClaim(claim.Step, null, approver), $"demo-approve-{claim.ClaimId}", ct)).State ?? claim;
            if (i is 8 or 9 && claim.Status == ClaimStatus.Approved) toPay.Add(claim.ClaimId);
        }
        // Finance exports what is owed today, as it would, and records the ERP's payment of two of them.
        await payouts.ExportAsync(vendorId, $"demo-{program.Id}-{Days.Of(realNow):yyyyMMdd}", "demo", ct);
        var paid = 0;
        foreach (var (claimId, n) in toPay.Select((c, n) => (c, n)))
            if ((await payouts.MarkPaidAsync(vendorId, claimId, $"DEMO-{n + 1:D3}", "demo", ct)).Problem is null) paid++;
        logger.LogInformation("Demo MDF for {Vendor}: program {Program} allocated to {Partners} partners; {Requested} requests, {Approved} approved, {Claimed} claimed, {Paid} paid now",
            vendorId, program.Id, active.Count, requested, approved, claimed, paid);
    }

    private static Money Usd(decimal amount) => Money.Of(amount, Currency.USD);

    private static MdfProgram Program(DateOnly today)
    {
        var me = new Tcma.Domain.Mdf.Approver("dev:" + Approver, "You (demo)", Approver);
        var deputy = new Tcma.Domain.Mdf.Approver("dev:deputy@demo.example", "Deputy (demo)", "deputy@demo.example");
        var quarter = (today.Month - 1) / 3 + 1;
        return new MdfProgram
        {
            Id = ProgramId(today),
            Name = $"Partner MDF Q{quarter} {today.Year}",
            Period = ProgramPeriod.Quarter(today.Year, quarter),
            Currency = Currency.USD,
            FundType = FundType.FixedAllocation,
            FixedAllocation = Usd(5_000m),
            ActivityTypes = [new("events", "Events", 0.5m, Usd(10_000m), "6100-EVT"), new("digital", "Digital advertising", 1.0m, Usd(30_000m), "6200-DIG")],
            ProposalLeadDays = 0,
            ClaimDeadlineDays = 60,
            RequestChain = new([new(1, "Channel manager", ApproverRole.ChannelManager, Usd(0m), me, deputy)]),
            ClaimChain = new([new(1, "Finance", ApproverRole.Finance, Usd(0m), me, deputy)]),
            ReminderAfterDays = 2,
            EscalationAfterDays = 5,
            MaxAmount = Usd(1_000_000m),
        };
    }
}
