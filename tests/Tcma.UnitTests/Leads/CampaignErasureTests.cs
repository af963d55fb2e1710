using Tcma.Domain.Leads;

namespace Tcma.UnitTests.Leads;

public sealed class CampaignErasureTests
{
    private static readonly DateTimeOffset Started = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_run_adds_what_it_changed_and_completes_the_record_and_an_empty_rerun_changes_no_count()
    {
        var begun = new CampaignErasure("hash", Started, null, 0, 0, 0, 0);
        var first = begun.Add(begun with { Sends = 3, Clicks = 1, ContactLists = 1, Partners = 0 }, Started.AddMinutes(1));
        // The run that finished a crashed one counts only what it did itself.
        var second = first.Add(begun with { Partners = 1 }, Started.AddMinutes(5));
        var third = second.Add(begun, Started.AddMinutes(9));

        Assert.Equal((3, 1, 1, 0), (first.Sends, first.Clicks, first.ContactLists, first.Partners));
        Assert.Equal((3, 1, 1, 1), (second.Sends, second.Clicks, second.ContactLists, second.Partners));
        Assert.Equal(second with { CompletedAt = null }, third with { CompletedAt = null });
        Assert.Equal((Started, Started.AddMinutes(9)), (third.StartedAt, third.CompletedAt));
    }
}
