using Azure.Storage.Blobs.Models;
using Tcma.Domain.Mdf;
using Tcma.Domain.Workflows;
using Tcma.Storage;
using Tcma.Storage.Mdf;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Mdf;

/// <summary>What an action came to: done (with the state after it), or refused with every reason and the HTTP status that fits.</summary>
public sealed record MdfOutcome<T>(T? State, IReadOnlyList<Refusal> Refusals, int Status, string? Note = null) where T : class
{
    public bool IsOk => Refusals.Count == 0 && State is not null;
    public static MdfOutcome<T> Ok(T state, int status = 200, string? note = null) => new(state, [], status, note);
    public static MdfOutcome<T> No(int status, params Refusal[] refusals) => new(null, refusals, status);
    public static MdfOutcome<T> No(IReadOnlyList<Refusal> refusals, T? state = null) => new(state, refusals, StatusFor(refusals));
    public static MdfOutcome<T> NotFound(string what) => new(null, [new Refusal("mdf.not_found", $"No {what}.")], 404);

    /// <summary>Who may not act: 403; the state moved on: 409; anything else is the input: 400.</summary>
    public static int StatusFor(IReadOnlyList<Refusal> refusals) =>
        refusals.Any(r => r.Code is "approval.wrong_approver" or "approval.backup_not_escalated" or "request.not_your_request" or "claim.not_your_request" or "claim.not_finance") ? 403
        : refusals.Any(r => r.Code is "approval.step_already_decided" or "request.not_pending" or "request.waiting_for_partner" or "request.closed" or "request.already_claimed"
            or "request.no_question" or "request.not_claimable" or "request.over_available" or "claim.already_claimed" or "claim.request_not_approved" or "claim.not_approved" or "request.fund_expired"
            or "extension.already_decided" or "extension.not_approved" || r.Code.StartsWith("fund.", StringComparison.Ordinal)) ? 409
        : 400;
}

/// <summary>A proof file as uploaded: what the browser declared and the bytes, checked before anything is stored.</summary>
public sealed record ProofUpload(ProofFile File, byte[] Bytes);

/// <summary>
/// The wiring between people, the ledger and the workflow engine. Money is taken *before* a step commits (a
/// reservation at submission, the conversion at claim): both are idempotent per request/claim id, so a crash between
/// the ledger write and the commit is repaired by sending the same thing again. Money given back (releases, partial
/// approvals) leaves through the engine's outbox after the commit and is also booked at once here; releases say what
/// should remain, so booking one twice, or two out of order, never moves a cent more.
/// </summary>
public sealed class MdfService(
    WorkflowEngine engine, FundLedgerStore ledger, MdfProgramStore programs, MdfRequestIndex index, PayoutStore payouts, StorageAccount storage,
    TimeProvider clock, ILogger<MdfService> logger)
{
    public const string ProofContainer = "proofs";

    public async Task<FundBalance?> FundAsync(string vendorId, string programId, string partnerId, CancellationToken ct)
    {
        var program = await programs.GetAsync(vendorId, programId, ct);
        return program is null ? null : await ledger.GetAsync(new FundKey(vendorId, programId, partnerId).FundId, program.Program.Currency, ct);
    }

    // ---- fund requests -----------------------------------------------------------------------------------------

    /// <summary>
    /// Submits a proposal. The request id comes from the partner, program and proposal (or the client's idempotency
    /// key), so sending the same proposal twice finds the first request instead of making a second one.
    /// </summary>
    public async Task<MdfOutcome<FundRequestState>> SubmitAsync(string vendorId, string partnerId, string programId, Proposal proposal, Actor by, string? idempotencyKey, CancellationToken ct)
    {
        var stored = await programs.GetAsync(vendorId, programId, ct);
        if (stored is null) return MdfOutcome<FundRequestState>.NotFound($"program {programId}");
        var program = stored.Program;
        var fund = new FundKey(vendorId, programId, partnerId);
        var requestId = MdfWorkflowTypes.StableId('r', vendorId, programId, partnerId, idempotencyKey ?? MdfJson.Write(proposal));

        if (await engine.GetRequestAsync(requestId, ct) is { Status: not FundRequestStatus.Draft } existing)
            return MdfOutcome<FundRequestState>.Ok(existing, 200, "This proposal was already submitted; here is its request.");

        var balance = await ledger.GetAsync(fund.FundId, program.Currency, ct);
        // The event carries the figures, not the fund's per-request maps: they grow with every request and the
        // transition needs only what is available.
        var figures = balance with { ReservedByRequest = balance.ReservedByRequest.Clear(), Claims = balance.Claims.Clear(), Operations = balance.Operations.Clear() };
        var submit = new SubmitRequest(proposal, program, figures, by);
        var t = FundRequestWorkflow.Apply(FundRequestState.New(requestId, partnerId, fund.FundId), submit, clock.GetUtcNow());
        if (t.IsRefused) return MdfOutcome<FundRequestState>.No(t.Refusals);

        var intent = new RequestEventData(vendorId, requestId, partnerId, fund.FundId, submit);
        await index.AddAsync(vendorId, new MdfSubject(MdfSubjectKind.Request, requestId, partnerId, programId, clock.GetUtcNow()), MdfJson.Write(intent), ct);
        var refused = await StartRequestAsync(intent, ct);
        var after = await engine.GetRequestAsync(requestId, ct);
        if (after is null) return MdfOutcome<FundRequestState>.No(500, new Refusal("mdf.not_started", "The request could not be started; send it again."));
        if (after.Status == FundRequestStatus.NotFunded)
            return MdfOutcome<FundRequestState>.No([new Refusal("request.over_available", refused?.Message ?? "The fund has not enough available.")], after);
        return MdfOutcome<FundRequestState>.Ok(after, 201);
    }

    /// <summary>Reserves (idempotent), then commits the submission with the ledger's answer: the part a crash can interrupt and a resume repeats.</summary>
    private async Task<Refusal?> StartRequestAsync(RequestEventData intent, CancellationToken ct)
    {
        var submit = (SubmitRequest)intent.Event;
        var now = clock.GetUtcNow();
        var t = FundRequestWorkflow.Apply(FundRequestState.New(intent.RequestId, intent.PartnerId, intent.FundId), submit, now);
        if (t.IsRefused)
        {
            // Resumed too late to stand (the activity is now too close): whatever was reserved goes back.
            await ledger.ExecuteAsync(intent.FundId, submit.Program.Currency, new ReleaseReservation(intent.RequestId, submit.Program.Zero, "submission not completed", "system:resume", now), ct);
            await index.CloseAsync(intent.VendorId, MdfSubjectKind.Request, intent.RequestId, ct);
            return t.Refusals[0];
        }
        Refusal? refused = null;
        foreach (var reserve in t.Commands.OfType<AppendToLedger>().Where(c => c.Command is ReserveFunds))
            refused = (await ledger.ExecuteAsync(intent.FundId, submit.Program.Currency, reserve.Command, ct)).Decision.Refusal;
        await engine.StartAsync(MdfWorkflowTypes.FundRequest, intent.RequestId,
            new WorkflowEvent("submit", "submit", submit.By.UserId, MdfJson.Write(intent with { ReservationRefused = refused })), ct);
        await index.CloseAsync(intent.VendorId, MdfSubjectKind.Request, intent.RequestId, ct);
        return refused;
    }

    /// <summary>
    /// Finishes submissions a crash left between the ledger and the workflow (run by a timer): each is started as it
    /// would have been, so its reservation is never stranded. Requests and claims started meanwhile are only closed.
    /// </summary>
    public async Task<int> ResumeAsync(TimeSpan olderThan, CancellationToken ct)
    {
        var resumed = 0;
        foreach (var intent in await index.OpenAsync(clock.GetUtcNow() - olderThan, 200, ct))
        {
            try
            {
                if (intent.Kind == MdfSubjectKind.Request)
                {
                    if (await engine.GetRequestAsync(intent.Id, ct) is { Status: not FundRequestStatus.Draft }) { await index.CloseAsync(intent.VendorId, intent.Kind, intent.Id, ct); continue; }
                    await StartRequestAsync(MdfJson.Read<RequestEventData>(intent.Data), ct);
                }
                else
                {
                    if (await engine.GetClaimAsync(intent.Id, ct) is { Status: not ClaimStatus.Draft }) { await index.CloseAsync(intent.VendorId, intent.Kind, intent.Id, ct); continue; }
                    var data = MdfJson.Read<ClaimEventData>(intent.Data);
                    var refusal = await StartClaimAsync(data, ct);
                    if (refusal is not null) logger.LogWarning("Claim {Claim} could not be resumed: {Refusal}", intent.Id, refusal);
                }
                resumed++;
                logger.LogWarning("Resumed {Kind} {Id} of {Vendor}, interrupted after {CreatedAt}", intent.Kind, intent.Id, intent.VendorId, intent.CreatedAt);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Resuming {Kind} {Id} failed; the next run tries again", intent.Kind, intent.Id);
            }
        }
        return resumed;
    }

    /// <summary>Any person's action on a request: an approver's decision, the partner's answer, cancellation, an extension.</summary>
    public async Task<MdfOutcome<FundRequestState>> ActOnRequestAsync(string vendorId, string requestId, FundRequestEvent e, string eventId, CancellationToken ct)
    {
        var state = await engine.GetRequestAsync(requestId, ct);
        if (state is null || FundKey.Parse(state.FundId).VendorId != vendorId) return MdfOutcome<FundRequestState>.NotFound($"request {requestId}");
        var t = FundRequestWorkflow.Apply(state, e, clock.GetUtcNow());
        if (t.IsRefused) return MdfOutcome<FundRequestState>.No(t.Refusals, state);
        if (t.IsNoOp) return MdfOutcome<FundRequestState>.Ok(state, 200, t.NoOpReason);

        var data = new RequestEventData(vendorId, requestId, state.PartnerId, state.FundId, e);
        await engine.RaiseAsync(MdfWorkflowTypes.FundRequest, requestId, new WorkflowEvent(eventId, Name(e), e.By.UserId, MdfJson.Write(data)), ct);
        var after = (await engine.GetRequestAsync(requestId, ct))!;
        if (!after.History.Skip(state.History.Count).Any(h => h.By == e.By))
        {
            // Someone else's action landed first (two approvers on one step): ours was decided again on what is there now.
            var again = FundRequestWorkflow.Apply(after, e, clock.GetUtcNow());
            return again.IsRefused ? MdfOutcome<FundRequestState>.No(again.Refusals, after) : MdfOutcome<FundRequestState>.Ok(after, 200, again.NoOpReason);
        }
        await BookReleasesAsync(state.FundId, state.Program!.Currency, t.Commands, ct);
        return MdfOutcome<FundRequestState>.Ok(after);
    }

    /// <summary>The claim workflow's <see cref="RecordClaimOnRequest"/>: the request learns it was claimed (once).</summary>
    public Task<MdfOutcome<FundRequestState>> RecordClaimAsync(string vendorId, string requestId, string claimId, CancellationToken ct) =>
        ActOnRequestAsync(vendorId, requestId, new ClaimSubmitted(claimId, Actor.System("claim")), $"claim:{claimId}", ct);

    // ---- claims ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Claims against an approved request: proof checked by its bytes and stored in blobs, the claim amount converted
    /// from the reservation on the ledger, then the claim workflow started and the request told.
    /// </summary>
    public async Task<MdfOutcome<ClaimState>> SubmitClaimAsync(string vendorId, string partnerId, string requestId, ClaimSubmission submission, IReadOnlyList<ProofUpload> proofs, Actor by, CancellationToken ct)
    {
        var request = await engine.GetRequestAsync(requestId, ct);
        if (request is null || FundKey.Parse(request.FundId).VendorId != vendorId || request.PartnerId != partnerId)
            return MdfOutcome<ClaimState>.NotFound($"request {requestId}");
        if (request.Status == FundRequestStatus.Claimed && request.ClaimId is { } claimed && await engine.GetClaimAsync(claimed, ct) is { } existingClaim)
        {
            var sameContent = ClaimIdFor(requestId, submission, proofs) == claimed;
            return sameContent
                ? MdfOutcome<ClaimState>.Ok(existingClaim, 200, "This claim was already submitted.")
                : MdfOutcome<ClaimState>.No([new Refusal("claim.already_claimed", $"Request {requestId} was already claimed (claim {claimed}).")], existingClaim);
        }

        var rules = request.Program?.ProofFiles ?? new ProofFileRules();
        var problems = new List<Refusal>();
        foreach (var proof in proofs)
            if (proof.File.CheckDeclared(rules).Count == 0 && ProofFile.Check(proof.Bytes, proof.File.ContentType, rules) is { } bad)
                problems.Add(bad with { Message = $"'{proof.File.Name}': {bad.Message}" });
        if (problems.Count > 0) return MdfOutcome<ClaimState>.No(problems);

        var claimId = ClaimIdFor(requestId, submission, proofs);
        var submit = new SubmitClaim(submission, request, by);
        var t = ClaimWorkflow.Apply(ClaimState.New(claimId, partnerId), submit, clock.GetUtcNow());
        if (t.IsRefused) return MdfOutcome<ClaimState>.No(t.Refusals);

        var container = storage.Container(ProofContainer);
        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        for (var i = 0; i < proofs.Count; i++)
            await container.GetBlobClient(ProofBlobName(vendorId, claimId, i, proofs[i].File.Name))
                .UploadAsync(new BinaryData(proofs[i].Bytes), new Azure.Storage.Blobs.Models.BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = proofs[i].File.ContentType } }, ct);

        var data = new ClaimEventData(vendorId, claimId, partnerId, submit);
        await index.AddAsync(vendorId, new MdfSubject(MdfSubjectKind.Claim, claimId, partnerId, FundKey.Parse(request.FundId).ProgramId, clock.GetUtcNow()), MdfJson.Write(data), ct);
        if (await StartClaimAsync(data, ct) is { } refusal)
        {
            await index.CloseAsync(vendorId, MdfSubjectKind.Claim, claimId, ct);
            return MdfOutcome<ClaimState>.No(409, refusal);
        }
        var after = await engine.GetClaimAsync(claimId, ct);
        return after is null ? MdfOutcome<ClaimState>.No(500, new Refusal("mdf.not_started", "The claim could not be started; send it again.")) : MdfOutcome<ClaimState>.Ok(after, 201);
    }

    /// <summary>Converts the reservation (idempotent), starts the claim and tells its request: what a resume repeats after a crash.</summary>
    private async Task<Refusal?> StartClaimAsync(ClaimEventData data, CancellationToken ct)
    {
        var submit = (SubmitClaim)data.Event;
        var request = submit.Request;
        var now = clock.GetUtcNow();
        var t = ClaimWorkflow.Apply(ClaimState.New(data.ClaimId, data.PartnerId), submit, now);
        if (t.IsRefused)
        {
            // Resumed too late to stand (past the deadline): a conversion already booked goes back to available.
            var booked = await ledger.GetAsync(request.FundId, request.Program!.Currency, ct);
            if (booked.Claims.ContainsKey(data.ClaimId))
                await ledger.ExecuteAsync(request.FundId, request.Program.Currency, new ReleaseClaim(data.ClaimId, request.Program.Zero, "claim not completed", "system:resume", now), ct);
            await index.CloseAsync(data.VendorId, MdfSubjectKind.Claim, data.ClaimId, ct);
            return t.Refusals[0];
        }
        foreach (var convert in t.Commands.OfType<AppendToLedger>().Where(c => c.Command is ConvertToClaim))
            if ((await ledger.ExecuteAsync(request.FundId, request.Program!.Currency, convert.Command, ct)).Decision.Refusal is { } refusal)
                return refusal;
        await engine.StartAsync(MdfWorkflowTypes.Claim, data.ClaimId, new WorkflowEvent("submit", "submit", submit.By.UserId, MdfJson.Write(data)), ct);
        await index.CloseAsync(data.VendorId, MdfSubjectKind.Claim, data.ClaimId, ct);
        // The outbox carries the same news to the request; telling it now keeps the partner's page in step.
        await RecordClaimAsync(data.VendorId, request.RequestId, data.ClaimId, ct);
        return null;
    }

    public async Task<MdfOutcome<ClaimState>> ActOnClaimAsync(string vendorId, string claimId, ClaimEvent e, string eventId, CancellationToken ct)
    {
        var state = await engine.GetClaimAsync(claimId, ct);
        if (state?.FundId is null || FundKey.Parse(state.FundId).VendorId != vendorId) return MdfOutcome<ClaimState>.NotFound($"claim {claimId}");
        var t = ClaimWorkflow.Apply(state, e, clock.GetUtcNow());
        if (t.IsRefused) return MdfOutcome<ClaimState>.No(t.Refusals, state);
        if (t.IsNoOp) return MdfOutcome<ClaimState>.Ok(state, 200, t.NoOpReason);

        var data = new ClaimEventData(vendorId, claimId, state.PartnerId, e);
        await engine.RaiseAsync(MdfWorkflowTypes.Claim, claimId, new WorkflowEvent(eventId, e.GetType().Name, e.By.UserId, MdfJson.Write(data)), ct);
        var after = (await engine.GetClaimAsync(claimId, ct))!;
        if (!after.History.Skip(state.History.Count).Any(h => h.By == e.By))
        {
            var again = ClaimWorkflow.Apply(after, e, clock.GetUtcNow());
            return again.IsRefused ? MdfOutcome<ClaimState>.No(again.Refusals, after) : MdfOutcome<ClaimState>.Ok(after, 200, again.NoOpReason);
        }
        await BookReleasesAsync(state.FundId, state.Program!.Currency, t.Commands, ct);
        // The outbox carries the payout too; recording it now lets finance see it at once.
        foreach (var payout in t.Commands.OfType<CreatePayout>())
            await payouts.AddAsync(vendorId, payout.Payout, ct);
        return MdfOutcome<ClaimState>.Ok(after);
    }

    /// <summary>Books the money a committed step gives back; the same entries also travel on the outbox, so a failure here is only logged.</summary>
    public async Task BookReleasesAsync(string fundId, Currency currency, IEnumerable<MdfCommand> commands, CancellationToken ct)
    {
        foreach (var command in commands.OfType<AppendToLedger>().Where(c => c.Command is not (ReserveFunds or ConvertToClaim)))
        {
            try
            {
                var outcome = await ledger.ExecuteAsync(fundId, currency, command.Command, ct);
                if (outcome.Decision.Refusal is { } r) logger.LogWarning("Fund {Fund} refused {Command}: {Refusal}", fundId, command.Command.GetType().Name, r);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Booking {Command} on {Fund} failed; the outbox message books it", command.Command.GetType().Name, fundId);
            }
        }
    }

    public static string ProofBlobName(string vendorId, string claimId, int index, string name) => $"{vendorId}/{claimId}/{index:D2}-{name}";

    private static string ClaimIdFor(string requestId, ClaimSubmission s, IReadOnlyList<ProofUpload> proofs) =>
        MdfWorkflowTypes.StableId('c', [requestId, MdfJson.Write(s with { Proofs = [] }), .. proofs.Select(p => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(p.Bytes)))]);

    private static string Name(FundRequestEvent e) => e.GetType().Name;
}
