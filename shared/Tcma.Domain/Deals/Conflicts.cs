using System.Globalization;
using System.Text.Json.Serialization;
using Tcma.Domain.Mdf;

namespace Tcma.Domain.Deals;

/// <summary>
/// The keys a customer is found by. Exact keys (the compact name, each registrable domain) are what registrations
/// claim, one claim row per key, so two registrations of one customer meet on the same row; the sound and
/// distinctive-word keys only find fuzzy candidates, scored in memory afterwards.
/// </summary>
public static class CustomerKeys
{
    public const string Name = "n", Domain = "d", Sound = "s", Word = "w";

    public static IReadOnlyList<string> Exact(string companyName, IEnumerable<string> domains) =>
        [$"{Name}:{CompanyNames.Compact(companyName)}", .. domains.Distinct(StringComparer.Ordinal).Select(d => $"{Domain}:{d}")];

    public static IReadOnlyList<string> All(string companyName, IEnumerable<string> domains)
    {
        var keys = Exact(companyName, domains).ToList();
        if (CompanyNames.SoundKey(companyName) is { } sound) keys.Add($"{Sound}:{sound}");
        if (CompanyNames.DistinctiveWord(companyName) is { } word) keys.Add($"{Word}:{word}");
        return keys.Distinct(StringComparer.Ordinal).ToList();
    }

    public static IReadOnlyList<string> Exact(DealRegistration r) => Exact(r.Customer.CompanyName, r.Domains);
    public static IReadOnlyList<string> All(DealRegistration r) => All(r.Customer.CompanyName, r.Domains);
}

public enum CandidateKind { Registration, Lead, WonCustomer }

/// <summary>
/// Something already known about a customer that a new registration may collide with: another registration (open),
/// a routed lead (open) or a customer won before. Read from the index and the registrations' own state.
/// </summary>
public sealed record Candidate(CandidateKind Kind, string Id, string PartnerId, string CompanyName, IReadOnlyList<string> Domains, DateTimeOffset At)
{
    public DealStatus? Status { get; init; }
    public DateTimeOffset? ProtectedUntil { get; init; }
    public IReadOnlyList<string> Products { get; init; } = [];
    /// <summary>A registration holding the claim row of one of the new registration's exact keys: storage said it came first.</summary>
    public bool HoldsClaim { get; init; }
    /// <summary>For a lead: the partner whose own landing page captured it, if any (the holder may be another).</summary>
    public string? SourcePartnerId { get; init; }
    public bool IsProtected => Kind == CandidateKind.Registration && Status == DealStatus.Approved;
    public bool IsUndecided => Kind == CandidateKind.Registration && Status is DealStatus.PendingApproval or DealStatus.InformationRequested or DealStatus.Queued;
}

/// <summary>Why a candidate is (or may be) the same opportunity, as the approver's page shows it.</summary>
public sealed record ConflictEvidence(CandidateKind Kind, string Id, string PartnerId, string CompanyName, string Match, string State, bool SameOpportunity);

/// <summary>What the rules make of a registration and what it collides with.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(Clear), "clear")]
[JsonDerivedType(typeof(Queue), "queue")]
[JsonDerivedType(typeof(Refuse), "refuse")]
public abstract record ConflictVerdict
{
    private ConflictVerdict() { }

    public IReadOnlyList<ConflictEvidence> Evidence { get; init; } = [];

    /// <summary>Goes to approval. <see cref="Supersedes"/>: other partners' undecided registrations the rules give way to this one.</summary>
    public sealed record Clear(IReadOnlyList<string> Supersedes) : ConflictVerdict;

    /// <summary>Waits for another partner's undecided registration; goes ahead if that one is turned down.</summary>
    public sealed record Queue(string BehindId, string Reason) : ConflictVerdict;

    /// <summary>Not allowed by the rules; the reason is written for the partner and never names another partner.</summary>
    public sealed record Refuse(Refusal Reason) : ConflictVerdict;
}

/// <summary>The rules of engagement applied to what a registration collides with: pure, so every case is a unit test.</summary>
public static class ConflictCheck
{
    /// <summary>How a candidate matches the registration's customer, or null when it does not; blocking = the same opportunity under the rules.</summary>
    public static (string Match, bool SameOpportunity)? Compare(DealRegistration r, RulesOfEngagement rules, Candidate c)
    {
        var same = rules.SameOpportunity;
        var domain = r.Domains.Intersect(c.Domains, StringComparer.Ordinal).FirstOrDefault();
        var similarity = CompanyNames.Similarity(r.Customer.CompanyName, c.CompanyName);
        string? match = null;
        var customer = true;
        if (same.Domain && domain is not null) match = $"same internet domain {domain}";
        else if (same.CompanyName && similarity >= 1.0) match = "same company name";
        else if (same.CompanyName && CompanyNames.AreSimilar(r.Customer.CompanyName, c.CompanyName)) match = $"similar company name ({similarity.ToString("P0", CultureInfo.InvariantCulture)} alike)";
        else if (CompanyNames.Related(r.Customer.CompanyName, c.CompanyName) || domain is not null || CompanyNames.AreSimilar(r.Customer.CompanyName, c.CompanyName))
        {
            match = "related company";
            customer = false;
        }
        if (match is null) return null;
        if (customer && c.Kind == CandidateKind.Registration && same.ProductOverlap && !r.Products.Intersect(c.Products, StringComparer.Ordinal).Any())
            return ($"{match}, other products", false);
        return (match, customer);
    }

    public static ConflictVerdict Decide(DealRegistration r, string partnerId, RulesOfEngagement rules, IReadOnlyList<Candidate> candidates)
    {
        var matched = candidates
            .Select(c => (Candidate: c, Compared: Compare(r, rules, c)))
            .Where(x => x.Compared is not null)
            .Select(x => (x.Candidate, x.Compared!.Value.Match, x.Compared.Value.SameOpportunity))
            .ToList();
        var evidence = matched.Select(m => new ConflictEvidence(m.Candidate.Kind, m.Candidate.Id, m.Candidate.PartnerId, m.Candidate.CompanyName, m.Match,
            State(m.Candidate), m.SameOpportunity)).ToList();
        var same = matched.Where(m => m.SameOpportunity).Select(m => m.Candidate).ToList();
        var others = same.Where(c => c.PartnerId != partnerId).ToList();

        if (same.FirstOrDefault(c => c.Kind == CandidateKind.Registration && c.PartnerId == partnerId && (c.IsProtected || c.IsUndecided)) is { } own)
            return new ConflictVerdict.Refuse(new("deal.duplicate", $"You already registered this opportunity: registration {own.Id}, {Words(own.Status)}.")) { Evidence = evidence };

        if (others.Where(c => c.IsProtected).OrderBy(c => c.ProtectedUntil).LastOrDefault() is { } protectedBy)
            return new ConflictVerdict.Refuse(new("deal.protected",
                $"This customer is already registered by another partner until {DealWorkflow.Day(DealWorkflow.Last(protectedBy.ProtectedUntil!.Value))}.")) { Evidence = evidence };

        // Whether the rules hand this partner the customer over other partners' undecided registrations.
        var favoured = false;
        if (rules.Winner == ConflictWinner.Incumbent && r.IsRenewal)
        {
            var incumbent = same.Where(c => c.Kind == CandidateKind.WonCustomer).OrderBy(c => c.At).LastOrDefault();
            if (incumbent is not null && incumbent.PartnerId != partnerId)
                return new ConflictVerdict.Refuse(new("deal.incumbent",
                    "Another partner won this customer before; under the rules renewals go to that incumbent partner.")) { Evidence = evidence };
            favoured = incumbent is not null;
        }
        if (rules.Winner == ConflictWinner.LeadSource)
        {
            var leads = same.Where(c => c.Kind == CandidateKind.Lead).ToList();
            bool Sourced(Candidate l, string p) => l.SourcePartnerId == p || (l.SourcePartnerId is null && l.PartnerId == p);
            if (leads.Any(l => Sourced(l, partnerId))) favoured = true;
            else if (leads.FirstOrDefault() is not null)
                return new ConflictVerdict.Refuse(new("deal.lead_of_another_partner",
                    "This customer is a lead of another partner; under the rules the partner that sourced the lead gets the deal.")) { Evidence = evidence };
        }

        var undecided = others.Where(c => c.IsUndecided).ToList();
        if (undecided.Count > 0 && favoured)
            return new ConflictVerdict.Clear([.. undecided.Select(c => c.Id)]) { Evidence = evidence };
        if (undecided.Count > 0)
        {
            // Storage decided who came first on the exact keys (the claim holder); otherwise the earliest similar one.
            var first = undecided.OrderByDescending(c => c.HoldsClaim).ThenBy(c => c.At).ThenBy(c => c.Id, StringComparer.Ordinal).First();
            return rules.QueueBehindPending
                ? new ConflictVerdict.Queue(first.Id, "Another partner registered this customer first; yours waits for that decision and goes ahead if it is turned down.") { Evidence = evidence }
                : new ConflictVerdict.Refuse(new("deal.registered_first_elsewhere", "Another partner registered this customer first; under the rules a later registration is refused.")) { Evidence = evidence };
        }
        return new ConflictVerdict.Clear([]) { Evidence = evidence };
    }

    private static string State(Candidate c) => c.Kind switch
    {
        CandidateKind.Registration => c.IsProtected ? $"protected until {DealWorkflow.Last(c.ProtectedUntil!.Value):yyyy-MM-dd}" : Words(c.Status),
        CandidateKind.Lead => "open routed lead" + (c.SourcePartnerId is { } s ? $" (sourced by {s})" : ""),
        _ => $"won {c.At:yyyy-MM-dd}",
    };

    public static string Words(DealStatus? status) => status switch
    {
        DealStatus.PendingApproval => "waiting for approval",
        DealStatus.InformationRequested => "waiting for more information",
        DealStatus.Queued => "waiting behind another registration",
        DealStatus.Approved => "approved",
        DealStatus.Won => "won",
        DealStatus.Lost => "lost",
        DealStatus.Rejected => "rejected",
        DealStatus.Refused => "refused under the rules",
        DealStatus.Expired => "expired",
        DealStatus.Withdrawn => "withdrawn",
        _ => "not submitted",
    };
}
