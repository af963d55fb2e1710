using System.Text.Json;
using Azure.Data.Tables;
using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;
using Tcma.Storage;
using Tcma.Storage.Leads;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Mdf;

/// <summary>An approved request as its workflow holds it, with its claim if one was submitted.</summary>
public sealed record RoiActivity(FundRequestState Request, ClaimState? Claim);

/// <summary>The vendor's MDF return: one line per funded activity, and the totals per partner and per activity type.</summary>
public sealed record RoiReport(IReadOnlyList<RoiLine> Lines, IReadOnlyList<RoiSummary> ByPartner, IReadOnlyList<RoiSummary> ByActivityType);

/// <summary>
/// What an activity brought, from what is recorded: leads captured on the landing pages of the launches the request
/// linked (counted by the lead capability, not by the partner), revenue of those leads marked won in the request's
/// currency, and the pipeline the partner reported on its claim (leads carry no pipeline amount yet). An activity
/// with no linked launch counts the leads its claim reported.
/// </summary>
public static class RoiAttribution
{
    public static Attribution For(FundRequestState request, ClaimState? claim, IEnumerable<Lead> leads)
    {
        var currency = request.Proposal!.EstimatedCost.Currency;
        var zero = Money.Zero(currency);
        var launches = request.Proposal.LaunchIds.ToHashSet(StringComparer.Ordinal);
        var attributed = launches.Count == 0 ? [] : leads.Where(l => l.Source is LeadSource.LandingPage page && launches.Contains(page.LaunchId)).ToList();
        var won = attributed.Select(l => l.Status).OfType<LeadStatus.Won>()
            .Where(w => w.Currency == currency.Code)
            .Aggregate(zero, (total, w) => total + Money.Of(decimal.Round(w.Amount, currency.MinorUnits, MidpointRounding.ToZero), currency));
        var reported = claim?.Submission;
        var pipeline = reported?.Pipeline is { } p && p.Currency == currency ? p : zero;
        var count = launches.Count > 0 ? attributed.Count : reported?.Leads ?? 0;
        return new Attribution(count, pipeline, won);
    }

    public static RoiReport Build(IEnumerable<RoiActivity> activities, IReadOnlyList<Lead> leads)
    {
        var lines = activities
            .Select(a => a.Request.Proposal is null ? null : Roi.Line(a.Request, a.Claim, For(a.Request, a.Claim, leads)))
            .OfType<RoiLine>()
            .OrderBy(l => l.PartnerId, StringComparer.Ordinal).ThenBy(l => l.RequestId, StringComparer.Ordinal).ToList();
        return new RoiReport(lines, Roi.ByPartner(lines), Roi.ByActivityType(lines));
    }
}

/// <summary>
/// Reads the vendor's requests and claims from the MDF workflows (types <c>FundRequest</c> and <c>Claim</c>, listed by
/// the vendor's request index) and its leads, and builds the ROI report.
/// </summary>
public sealed class RoiService(StorageAccount storage, WorkflowEngine workflows)
{
    /// <summary>The request index of the MDF workflows (MdfRequestIndex: partition = vendor, row <c>r~{requestId}</c> with Kind = Request).</summary>
    public const string RequestIndexTable = Tcma.Storage.Mdf.MdfRequestIndex.TableName;
    public const string FundRequestType = Tcma.Storage.Mdf.MdfWorkflowTypes.FundRequest;
    public const string ClaimType = Tcma.Storage.Mdf.MdfWorkflowTypes.Claim;

    public async Task<RoiReport> BuildAsync(string vendorId, CancellationToken cancellationToken = default) =>
        RoiAttribution.Build(await ActivitiesAsync(vendorId, cancellationToken), await LeadsAsync(vendorId, cancellationToken));

    public async Task<IReadOnlyList<RoiActivity>> ActivitiesAsync(string vendorId, CancellationToken cancellationToken)
    {
        var index = await storage.TableAsync(RequestIndexTable, cancellationToken);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var ids = new List<string>();
        await foreach (var row in index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and Kind eq {"Request"}"), select: ["RowKey"], cancellationToken: cancellationToken))
            ids.Add(row.RowKey[2..]);

        var activities = new List<RoiActivity>();
        foreach (var id in ids)
        {
            // An index row written just before its workflow started (or whose start failed) has no state yet: skipped.
            if (await StateAsync<FundRequestState>(FundRequestType, id, cancellationToken) is not { } request) continue;
            if (request.Status is not (FundRequestStatus.Approved or FundRequestStatus.Claimed)) continue;
            var claim = request.ClaimId is { } claimId ? await StateAsync<ClaimState>(ClaimType, claimId, cancellationToken) : null;
            activities.Add(new RoiActivity(request, claim));
        }
        return activities;
    }

    private async Task<T?> StateAsync<T>(string type, string id, CancellationToken cancellationToken) where T : class
    {
        if (id.Length is 0 or > 200 || !TableKeys.IsValid(id)) return null;
        var instance = await workflows.GetAsync(type, id, cancellationToken);
        return instance?.StateJson is { } json ? MdfJson.Read<T>(json) : null;
    }

    /// <summary>The vendor's leads as the lead capability stores them (one partition per vendor).</summary>
    public async Task<IReadOnlyList<Lead>> LeadsAsync(string vendorId, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(LeadStore.LeadsTable, cancellationToken);
        var partition = TableKeys.Safe(vendorId);
        var leads = new List<Lead>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["Json"], cancellationToken: cancellationToken))
            if (JsonSerializer.Deserialize<Lead>(row.GetString("Json"), JsonSerializerOptions.Web) is { } lead)
                leads.Add(lead);
        return leads;
    }
}
