using Tcma.Domain.Kits;

namespace Tcma.UnitTests.Kits;

public sealed class KitLifecycleTests
{
    [Fact]
    public void A_validated_version_is_published_and_a_published_one_recalled()
    {
        Assert.Equal(new KitDecision.Move(KitStatus.Published), KitLifecycle.Decide(KitStatus.Validated, KitAction.Publish));
        Assert.Equal(new KitDecision.Move(KitStatus.Recalled), KitLifecycle.Decide(KitStatus.Published, KitAction.Recall));
    }

    [Theory]
    [InlineData(KitStatus.Published, KitAction.Publish)]
    [InlineData(KitStatus.Recalled, KitAction.Recall)]
    public void Repeating_a_request_that_already_happened_is_a_success_that_writes_nothing(KitStatus status, KitAction action) =>
        Assert.Equal(new KitDecision.AlreadyDone(status), KitLifecycle.Decide(status, action));

    [Theory]
    [InlineData(KitStatus.Recalled, KitAction.Publish, "recalled")]
    [InlineData(KitStatus.Validated, KitAction.Recall, "never published")]
    [InlineData(KitStatus.Storing, KitAction.Publish, "still being stored")]
    [InlineData(KitStatus.Storing, KitAction.Recall, "still being stored")]
    public void Moves_the_lifecycle_does_not_allow_are_refused_with_a_reason(KitStatus status, KitAction action, string reason)
    {
        var refused = Assert.IsType<KitDecision.Refused>(KitLifecycle.Decide(status, action));
        Assert.Contains(reason, refused.Reason);
    }

    [Fact]
    public void Every_status_and_action_has_a_decision_and_nothing_moves_backwards()
    {
        foreach (var status in Enum.GetValues<KitStatus>())
        foreach (var action in Enum.GetValues<KitAction>())
            if (KitLifecycle.Decide(status, action) is KitDecision.Move move)
                Assert.True(move.To > status, $"{status} --{action}--> {move.To}");
    }
}
