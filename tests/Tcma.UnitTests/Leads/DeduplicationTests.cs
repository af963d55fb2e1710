using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class DeduplicationTests
{
    private static ValidSubmission Again(string id = "s2", string email = "ana@example.com", DateTimeOffset? at = null) =>
        Valid(Submission(id, email) with { ReceivedAt = at ?? Now });

    [Fact]
    public void A_repeat_within_the_window_merges_into_the_open_lead_as_an_activity_and_keeps_its_holder()
    {
        var existing = Lead(at: Now.AddDays(-10)) with { Status = new LeadStatus.Accepted(), PartnerId = "partner-b" };
        var merge = Assert.IsType<DedupDecision.MergeInto>(Deduplication.Deduplicate(Again(email: " ANA@Example.com"), [existing], Now));
        Assert.Equal("lead-1", merge.Merged.Id);
        Assert.Equal("partner-b", merge.Merged.PartnerId);
        Assert.Equal(new LeadStatus.Accepted(), merge.Merged.Status);
        Assert.Equal(["sub-lead-1", "s2"], merge.Merged.Activities.Select(a => a.SubmissionId));
        Assert.Equal(Now, merge.Merged.LastActivityAt);
        Assert.Equal(Now, merge.Activity.Consent!.GivenAt);
    }

    [Fact]
    public void The_window_is_inclusive_at_exactly_thirty_days_and_ends_a_tick_later()
    {
        var lead = Lead(at: Now.AddDays(-30));
        Assert.IsType<DedupDecision.MergeInto>(Deduplication.Deduplicate(Again(), [lead], Now));
        Assert.IsType<DedupDecision.CreateNew>(Deduplication.Deduplicate(Again(), [lead], Now.AddTicks(1)));
    }

    [Fact]
    public void The_window_is_configurable_and_runs_from_the_last_activity()
    {
        var lead = Lead(at: Now.AddDays(-20)) with { LastActivityAt = Now.AddDays(-3) };
        Assert.IsType<DedupDecision.MergeInto>(Deduplication.Deduplicate(Again(), [lead], Now, TimeSpan.FromDays(7)));
        Assert.IsType<DedupDecision.CreateNew>(Deduplication.Deduplicate(Again(), [lead], Now, TimeSpan.FromDays(2)));
    }

    [Theory]
    [MemberData(nameof(ClosedStatuses))]
    public void A_won_or_lost_lead_is_closed_so_a_repeat_becomes_a_new_lead(LeadStatus closed)
    {
        var lead = Lead(at: Now.AddDays(-1)) with { Status = closed };
        Assert.IsType<DedupDecision.CreateNew>(Deduplication.Deduplicate(Again(), [lead], Now));
    }

    public static TheoryData<LeadStatus> ClosedStatuses => [new LeadStatus.Won(1000m, "EUR"), new LeadStatus.Lost("no budget")];

    [Theory]
    [MemberData(nameof(OpenStatuses))]
    public void Every_other_status_is_open(LeadStatus open)
    {
        var lead = Lead(at: Now.AddDays(-1)) with { Status = open };
        Assert.IsType<DedupDecision.MergeInto>(Deduplication.Deduplicate(Again(), [lead], Now));
    }

    public static TheoryData<LeadStatus> OpenStatuses =>
    [
        new LeadStatus.New(), new LeadStatus.Assigned(), new LeadStatus.Accepted(), new LeadStatus.Rejected("wrong region"),
        new LeadStatus.Working(), new LeadStatus.Recalled(),
    ];

    [Fact]
    public void Another_vendors_lead_or_a_plus_address_never_matches()
    {
        var otherVendor = Lead() with { VendorId = "vendor-2" };
        var plus = Lead("lead-2", "ana+events@example.com");
        Assert.IsType<DedupDecision.CreateNew>(Deduplication.Deduplicate(Again(), [otherVendor, plus], Now));
    }

    [Fact]
    public void The_same_submission_delivered_twice_is_recognised_and_changes_nothing()
    {
        var lead = Lead(at: Now.AddDays(-1));
        var merged = Assert.IsType<DedupDecision.MergeInto>(Deduplication.Deduplicate(Again("s2"), [lead], Now)).Merged;
        var again = Assert.IsType<DedupDecision.AlreadyRecorded>(Deduplication.Deduplicate(Again("s2"), [merged], Now.AddMinutes(1)));
        Assert.Same(merged, again.Lead);
    }

    [Fact]
    public void The_submission_that_created_a_lead_redelivered_does_not_create_a_second()
    {
        var lead = Lead();
        Assert.IsType<DedupDecision.AlreadyRecorded>(Deduplication.Deduplicate(Valid(Submission("sub-lead-1")), [lead], Now));
    }

    [Fact]
    public void With_several_open_leads_the_most_recently_active_takes_the_submission()
    {
        var older = Lead("lead-old", at: Now.AddDays(-9));
        var newer = Lead("lead-new", at: Now.AddDays(-2));
        var merge = Assert.IsType<DedupDecision.MergeInto>(Deduplication.Deduplicate(Again(), [older, newer], Now));
        Assert.Equal("lead-new", merge.Merged.Id);
    }

    [Fact]
    public void A_merge_fills_what_the_lead_lacked_but_never_overwrites()
    {
        var lead = Lead(at: Now.AddDays(-1)) with { Person = Lead().Person with { JobTitle = null, Company = "Acme GmbH" } };
        var later = Valid(Submission("s2") with { JobTitle = "CTO", Company = "Other Corp" });
        var merged = Assert.IsType<DedupDecision.MergeInto>(Deduplication.Deduplicate(later, [lead], Now)).Merged;
        Assert.Equal("CTO", merged.Person.JobTitle);
        Assert.Equal("Acme GmbH", merged.Person.Company);
    }

    [Fact]
    public void An_erased_lead_is_never_matched()
    {
        var (erased, _) = LeadErasure.Erase(Lead(), "dpo@vendor", Now, [1, 2, 3]);
        Assert.IsType<DedupDecision.CreateNew>(Deduplication.Deduplicate(Again(), [erased], Now));
    }
}
