using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;
using Tcma.Functions.Mdf;

namespace Tcma.Functions.Deals;

/// <summary>
/// A registration as people see it. The partner's view never carries the conflict evidence (it names other partners)
/// nor where approvers acted from; the vendor's does.
/// </summary>
public sealed record DealView(
    string Id, string PartnerId, DealStatus Status, DealStage Stage, string CompanyName, string Country, IReadOnlyList<string> Products,
    Money EstimatedValue, DateOnly ExpectedClose, string FoundVia, int RulesVersion, string? WaitingFor, int Step, DateOnly? ProtectedUntil,
    bool CanExtend, string? Extension, Money? WonAmount, string? Reason, string? Question, string? Benefits,
    IReadOnlyList<ConflictEvidence>? Evidence, IReadOnlyList<HistoryView> History)
{
    public static DealView From(DealState s, bool vendor)
    {
        var r = s.Registration!;
        return new(s.RegistrationId, s.PartnerId, s.Status, s.Stage, r.Customer.CompanyName, r.Customer.Country, r.Products, r.EstimatedValue, r.ExpectedClose,
            r.Origin.Via.ToString(), s.Rules?.Version ?? 0,
            s.Status == DealStatus.PendingApproval ? s.Approval?.Current.Name : null, s.Step,
            s.ProtectedUntil is { } until ? DealWorkflow.Last(until) : null, s.CanExtend,
            s.Extension is null ? null : s.Extension.Approved switch { null => "asked", true => "approved", false => "declined" },
            s.WonAmount, s.Reason, s.Question,
            s.Status is DealStatus.Approved or DealStatus.Won && s.Rules!.Benefits.Trim().Length > 0 ? s.Rules.Benefits.Trim() : null,
            vendor ? s.Evidence : null,
            s.History.Select(h => HistoryView.Of(h, vendor)).ToList());
    }
}

/// <summary>The rules as published, and the same in the plain words partners read.</summary>
public sealed record RulesView(RulesOfEngagement Rules, IReadOnlyList<string> PlainWords)
{
    public static RulesView From(RulesOfEngagement rules) => new(rules, rules.PlainWords());
}

/// <summary>What the partner's page and API show: the rules in force in plain words, and the partner's own registrations.</summary>
public sealed record PartnerDealsView(int? RulesVersion, IReadOnlyList<string> Rules, IReadOnlyList<DealProduct> Products, IReadOnlyList<string> Currencies,
    IReadOnlyList<DealView> Registrations);

/// <summary>A publish: the version the admin edited (0 for the first) and the rules; version, date and author are ours.</summary>
public sealed record PublishRulesInput(int? BasedOn, RulesOfEngagement? Rules);

public sealed record StageInput(string? Stage, string? Amount, string? Reason);

public sealed record AttributionView(AttributionModel Model, string Rule, IReadOnlyList<AttributionTotal> ByKit, IReadOnlyList<AttributionTotal> ByProgram,
    IReadOnlyList<AttributionTotal> ByPartner, IReadOnlyList<AttributionTotal> BySource)
{
    public static AttributionView From(AttributionReport r) => new(r.Model, r.Rule, r.ByKit, r.ByProgram, r.ByPartner, r.BySource);
}
