using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;

namespace Tcma.Functions.Mdf;

public sealed record AllocationInput(IReadOnlyList<string>? PartnerIds);

public sealed record AllocationLine(string PartnerId, string Outcome, FundFigures? Figures);

public sealed record AccrualResult(int Booked, int AlreadyBooked, IReadOnlyList<Refusal> Rejected);

/// <summary>Programs and the money in them: a vendor admin defines a program, allocates it to partners, imports revenue for accruals.</summary>
public static partial class MdfProgramEndpoints
{
    private const int MaxProgramJsonBytes = 256 * 1024;

    public static WebApplication MapMdfPrograms(this WebApplication app)
    {
        var programs = app.MapGroup("/api/vendors/{vendorId}/mdf/programs").RequireVendorScope().WithTags("MDF");
        programs.MapGet("/", List).RequireAuthorization(Policies.VendorUser);
        programs.MapGet("/{programId}", Get).RequireAuthorization(Policies.VendorUser);
        programs.MapPut("/{programId}", Put).RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        programs.MapPost("/{programId}/allocations", Allocate).RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        programs.MapPost("/{programId}/accruals", ImportAccruals).RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        programs.MapGet("/{programId}/funds/{partnerId}", Fund).RequireAuthorization(Policies.VendorUser);
        return app;
    }

    public const string ProgramIdRule = "A program id is 1-40 lower-case letters, digits or '-', starting with a letter or digit.";

    public static bool IsValidProgramId(string id) => ProgramId().IsMatch(id);

    private static async Task<JsonHttpResult<IReadOnlyList<MdfProgram>>> List(string vendorId, MdfProgramStore store, CancellationToken ct) =>
        MdfHttp.Json<IReadOnlyList<MdfProgram>>((await store.ListAsync(vendorId, ct)).Select(p => p.Program).ToList());

    private static async Task<Results<JsonHttpResult<MdfProgram>, ProblemHttpResult>> Get(string vendorId, string programId, HttpResponse response, MdfProgramStore store, CancellationToken ct)
    {
        if (!IsValidProgramId(programId) || await store.GetAsync(vendorId, programId, ct) is not { } stored)
            return MdfHttp.Problem(404, "mdf.not_found", $"No program {programId}.");
        response.Headers.ETag = stored.ETag;
        return MdfHttp.Json(stored.Program);
    }

    /// <summary>
    /// Creates (201) or replaces (200) a program; every problem at once (400), nothing stored then. With If-Match,
    /// only the version read is replaced (412 otherwise). Requests already submitted keep the program they were submitted under.
    /// </summary>
    private static async Task<Results<JsonHttpResult<MdfProgram>, ProblemHttpResult>> Put(
        string vendorId, string programId, HttpRequest request, ClaimsPrincipal user, MdfProgramStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!IsValidProgramId(programId))
            return MdfHttp.Problem(400, "program.id", ProgramIdRule);
        var (program, problem) = await MdfHttp.ReadJsonAsync<MdfProgram>(request, MaxProgramJsonBytes, MdfJson.Options, ct);
        if (problem is not null) return problem;
        if (program!.Id != programId) return MdfHttp.Problem(400, "program.id_mismatch", $"The body is program '{program.Id}' but the address says '{programId}'.");
        var problems = program.Check();
        if (problems.Count > 0) return MdfHttp.Problem(400, problems, "The program has problems; nothing was saved.");
        var ifMatch = request.Headers.IfMatch.ToString();
        var (kind, stored) = await store.SaveAsync(vendorId, program, KitEndpoints.Actor(user), clock.GetUtcNow(), ifMatch.Length == 0 ? null : ifMatch, ct);
        if (kind == ProgramSaveKind.PreconditionFailed)
            return MdfHttp.Problem(412, "program.changed", stored is null ? $"Program {programId} does not exist, so it cannot match If-Match." : $"Program {programId} changed since you read it; its ETag is now {stored.ETag}.");
        request.HttpContext.Response.Headers.ETag = stored!.ETag;
        return MdfHttp.Json(stored.Program, kind == ProgramSaveKind.Created ? 201 : 200);
    }

    /// <summary>
    /// Gives each partner (the ones named, or every partner in the directory) the program's fixed allocation, once:
    /// running it again allocates nothing twice, so a vendor can re-run it after onboarding more partners.
    /// </summary>
    private static async Task<Results<JsonHttpResult<IReadOnlyList<AllocationLine>>, ProblemHttpResult>> Allocate(
        string vendorId, string programId, HttpRequest request, ClaimsPrincipal user, MdfProgramStore store, PartnerDirectory directory,
        MdfProgramService service, CancellationToken ct)
    {
        if (!IsValidProgramId(programId) || await store.GetAsync(vendorId, programId, ct) is not { } stored)
            return MdfHttp.Problem(404, "mdf.not_found", $"No program {programId}.");
        IReadOnlyList<string> partnerIds;
        if (request.ContentLength is > 0 || request.HasJsonContentType())
        {
            var (input, problem) = await MdfHttp.ReadJsonAsync<AllocationInput>(request, 1024 * 1024, System.Text.Json.JsonSerializerOptions.Web, ct);
            if (problem is not null) return problem;
            partnerIds = input!.PartnerIds ?? [];
        }
        else partnerIds = [];
        if (partnerIds.Count == 0 && stored.Program.FundType.HasFlag(FundType.FixedAllocation))
            partnerIds = (await directory.ListAsync(vendorId, null, null, null, ct)).Select(p => p.Partner.Id).ToList();
        var (lines, refused) = await service.AllocateAsync(vendorId, stored.Program, partnerIds, KitEndpoints.Actor(user), ct);
        return refused is not null ? Problem(refused) : MdfHttp.Json(lines!);
    }

    /// <summary>
    /// Credits the program's share of each partner's revenue from a CSV (<c>partner_id,revenue[,currency]</c>) for one
    /// reporting period (<c>?period=2026-01</c>): importing the same period again credits nothing twice. A file with
    /// any bad line is refused whole (400, every line's problem listed), so a vendor never half-imports revenue.
    /// </summary>
    private static async Task<Results<JsonHttpResult<AccrualResult>, ProblemHttpResult>> ImportAccruals(
        string vendorId, string programId, string? period, HttpRequest request, ClaimsPrincipal user, MdfProgramStore store,
        MdfProgramService service, CancellationToken ct)
    {
        if (!IsValidProgramId(programId) || await store.GetAsync(vendorId, programId, ct) is not { } stored)
            return MdfHttp.Problem(404, "mdf.not_found", $"No program {programId}.");
        // The period is checked before the body is read, so a caller who forgot it is told at once.
        if (!MdfProgramService.IsValidPeriod(period))
            return MdfHttp.Problem(400, "accrual.period", "Name the revenue period reported, e.g. ?period=2026-01 (a month) or ?period=2026-Q1.");
        var (csv, unreadable) = await MdfProgramService.ReadCsvAsync(request.Body, request.ContentLength, ct);
        if (unreadable is not null) return Problem(unreadable);
        var (outcome, refused) = await service.ImportAccrualsAsync(vendorId, stored.Program, period, csv!, KitEndpoints.Actor(user), ct);
        return refused is not null ? Problem(refused) : MdfHttp.Json(outcome!.Result);
    }

    private static ProblemHttpResult Problem(ProgramProblem p) => MdfHttp.Problem(p.Status, p.Refusals, p.Title);

    private static async Task<Results<JsonHttpResult<FundView>, ProblemHttpResult>> Fund(
        string vendorId, string programId, string partnerId, MdfProgramStore store, FundLedgerStore ledger, CancellationToken ct)
    {
        if (!IsValidProgramId(programId) || await store.GetAsync(vendorId, programId, ct) is not { } stored)
            return MdfHttp.Problem(404, "mdf.not_found", $"No program {programId}.");
        if (partnerId.Length is 0 or > 100 || !Tcma.Storage.TableKeys.IsValid(partnerId)) return MdfHttp.Problem(404, "mdf.not_found", "No such partner.");
        var balance = await ledger.GetAsync(new FundKey(vendorId, programId, partnerId).FundId, stored.Program.Currency, ct);
        return MdfHttp.Json(FundView.From(stored.Program, balance));
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex ProgramId();
}
