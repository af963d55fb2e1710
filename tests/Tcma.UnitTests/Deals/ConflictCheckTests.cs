using Tcma.Domain.Deals;
using static Tcma.UnitTests.Deals.DealSamples;

namespace Tcma.UnitTests.Deals;

public sealed class ConflictCheckTests
{
    private static Candidate Other(string partner, DealStatus status, string company = "Contoso Limited", string[]? domains = null, string[]? products = null,
        bool claim = false, DateTimeOffset? until = null, string id = "d-other") =>
        new(CandidateKind.Registration, id, partner, company, domains ?? ["contoso.com"], Now.AddDays(-1))
        {
            Status = status, Products = products ?? ["backup"], HoldsClaim = claim, ProtectedUntil = until,
        };

    private static ConflictVerdict Decide(params Candidate[] candidates) => ConflictCheck.Decide(Registration(), "alpha", Rules(), candidates);

    [Fact]
    public void A_customer_nobody_has_is_clear() => Assert.IsType<ConflictVerdict.Clear>(Decide());

    [Fact]
    public void A_customer_protected_by_another_partner_is_refused_with_the_date_and_never_the_partner()
    {
        var verdict = Assert.IsType<ConflictVerdict.Refuse>(Decide(Other("bravo", DealStatus.Approved, until: new DateTimeOffset(2026, 3, 13, 0, 0, 0, TimeSpan.Zero))));
        Assert.Equal("deal.protected", verdict.Reason.Code);
        Assert.Equal("This customer is already registered by another partner until 12 March 2026.", verdict.Reason.Message);
        Assert.DoesNotContain("bravo", verdict.Reason.Message);
        // The approver's evidence does name the partner.
        Assert.Equal("bravo", Assert.Single(verdict.Evidence).PartnerId);
    }

    [Fact]
    public void Behind_an_undecided_registration_it_queues_or_is_refused_as_the_rules_say()
    {
        var pending = Other("bravo", DealStatus.PendingApproval, claim: true);
        var queued = Assert.IsType<ConflictVerdict.Queue>(Decide(pending));
        Assert.Equal("d-other", queued.BehindId);
        var refused = Assert.IsType<ConflictVerdict.Refuse>(ConflictCheck.Decide(Registration(), "alpha", Rules() with { QueueBehindPending = false }, [pending]));
        Assert.Equal("deal.registered_first_elsewhere", refused.Reason.Code);
    }

    [Fact]
    public void It_queues_behind_the_claim_holder_storage_chose_not_an_earlier_fuzzy_match()
    {
        var fuzzy = Other("charlie", DealStatus.PendingApproval, company: "Kontoso", domains: [], id: "d-fuzzy") with { At = Now.AddDays(-5) };
        var holder = Other("bravo", DealStatus.PendingApproval, claim: true, id: "d-holder");
        Assert.Equal("d-holder", Assert.IsType<ConflictVerdict.Queue>(Decide(fuzzy, holder)).BehindId);
    }

    [Theory]
    [InlineData("Contoso Ltd", "contoso.com", "same internet domain contoso.com")]
    [InlineData("CONTOSO", "", "same company name")]
    [InlineData("Kontoso Limited", "", "similar company name")]
    public void The_same_customer_is_found_by_domain_exactly_and_by_name_fuzzily(string company, string domain, string match)
    {
        var verdict = Decide(Other("bravo", DealStatus.Approved, company: company, domains: domain.Length == 0 ? [] : [domain], until: Now.AddDays(30)));
        Assert.IsType<ConflictVerdict.Refuse>(verdict);
        Assert.StartsWith(match, verdict.Evidence.Single().Match);
    }

    [Fact]
    public void Other_products_are_another_opportunity_when_the_rules_ask_for_overlap()
    {
        var other = Other("bravo", DealStatus.Approved, products: ["firewall"], until: Now.AddDays(30));
        var verdict = Assert.IsType<ConflictVerdict.Clear>(Decide(other));
        Assert.False(verdict.Evidence.Single().SameOpportunity);
        Assert.IsType<ConflictVerdict.Refuse>(ConflictCheck.Decide(Registration(), "alpha", Rules() with { SameOpportunity = new(ProductOverlap: false) }, [other]));
    }

    [Fact]
    public void A_related_company_is_shown_to_the_approver_but_blocks_nothing()
    {
        var verdict = Assert.IsType<ConflictVerdict.Clear>(Decide(Other("bravo", DealStatus.Approved, company: "Contoso Pharma", domains: ["contosopharma.com"], until: Now.AddDays(30))));
        Assert.Equal("related company", verdict.Evidence.Single().Match);
    }

    [Fact]
    public void Registering_your_own_customer_twice_is_a_duplicate() =>
        Assert.Equal("deal.duplicate", Assert.IsType<ConflictVerdict.Refuse>(Decide(Other("alpha", DealStatus.PendingApproval))).Reason.Code);

    [Fact]
    public void Under_lead_source_the_partner_with_the_lead_wins_over_undecided_registrations_and_others_are_refused()
    {
        var rules = Rules() with { Winner = ConflictWinner.LeadSource };
        var lead = new Candidate(CandidateKind.Lead, "lead-1", "alpha", "Contoso", ["contoso.com"], Now.AddDays(-20));
        var pending = Other("bravo", DealStatus.PendingApproval, claim: true);
        var clear = Assert.IsType<ConflictVerdict.Clear>(ConflictCheck.Decide(Registration(), "alpha", rules, [lead, pending]));
        Assert.Equal(["d-other"], clear.Supersedes);
        var refused = Assert.IsType<ConflictVerdict.Refuse>(ConflictCheck.Decide(Registration(), "bravo", rules, [lead]));
        Assert.Equal("deal.lead_of_another_partner", refused.Reason.Code);
        // A protection already given is a promise: the lead does not take it away.
        Assert.Equal("deal.protected", Assert.IsType<ConflictVerdict.Refuse>(ConflictCheck.Decide(Registration(), "alpha", rules,
            [lead, Other("bravo", DealStatus.Approved, until: Now.AddDays(10))])).Reason.Code);
    }

    [Fact]
    public void Under_incumbent_a_renewal_goes_to_the_partner_that_won_the_customer()
    {
        var rules = Rules() with { Winner = ConflictWinner.Incumbent };
        var won = new Candidate(CandidateKind.WonCustomer, "d-old", "bravo", "Contoso", ["contoso.com"], Now.AddYears(-1));
        var renewal = Registration() with { IsRenewal = true };
        Assert.Equal("deal.incumbent", Assert.IsType<ConflictVerdict.Refuse>(ConflictCheck.Decide(renewal, "alpha", rules, [won])).Reason.Code);
        Assert.IsType<ConflictVerdict.Clear>(ConflictCheck.Decide(renewal, "bravo", rules, [won]));
        // New business is first registered, and a won customer only evidence.
        Assert.IsType<ConflictVerdict.Clear>(ConflictCheck.Decide(Registration(), "alpha", rules, [won]));
    }
}
