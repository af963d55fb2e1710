using System.Security.Cryptography;
using System.Text;
using Tcma.Domain.Mdf;
using Tcma.Storage.Workflows;

namespace Tcma.Storage.Mdf;

/// <summary>
/// The two MDF workflow types on the <see cref="WorkflowEngine"/>: a fund request (instance id = request id) and a
/// claim (instance id = claim id). Their state JSON is the domain's <see cref="FundRequestState"/> /
/// <see cref="ClaimState"/> written with <see cref="MdfJson"/> (money as strings), so read it with these helpers.
/// The engine allows letters and digits only in a type, hence "FundRequest" rather than "fund-request".
/// </summary>
public static class MdfWorkflowTypes
{
    public const string FundRequest = "FundRequest";
    public const string Claim = "Claim";

    public static async Task<FundRequestState?> GetRequestAsync(this WorkflowEngine engine, string requestId, CancellationToken ct = default)
    {
        if (!IsValidId(requestId)) return null;
        var instance = await engine.GetAsync(FundRequest, requestId, ct);
        return instance?.StateJson is { } json ? MdfJson.Read<FundRequestState>(json) : null;
    }

    public static async Task<ClaimState?> GetClaimAsync(this WorkflowEngine engine, string claimId, CancellationToken ct = default)
    {
        if (!IsValidId(claimId)) return null;
        var instance = await engine.GetAsync(Claim, claimId, ct);
        return instance?.StateJson is { } json ? MdfJson.Read<ClaimState>(json) : null;
    }

    public static bool IsValidId(string? id) => id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>A stable id from what identifies the thing: the same proposal (or claim) sent twice gets the same id, hence one request.</summary>
    public static string StableId(char prefix, params string[] parts) =>
        prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))))[..24];
}

/// <summary>A partner's fund in one program: <c>{vendor}~{program}~{partner}</c>, the partition of its ledger.</summary>
public sealed record FundKey(string VendorId, string ProgramId, string PartnerId)
{
    public string FundId => $"{VendorId}~{ProgramId}~{PartnerId}";

    public static FundKey Parse(string fundId)
    {
        var parts = fundId.Split('~');
        return parts.Length == 3 ? new(parts[0], parts[1], parts[2]) : throw new FormatException($"'{fundId}' is not a fund id");
    }
}
