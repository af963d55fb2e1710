using Tcma.Domain;
using Tcma.Rendering.Liquid;

namespace Tcma.UnitTests.Rendering.Liquid;

public class SocialPostLimitsTests
{
    [Fact]
    public void X_counts_every_link_as_23_characters()
    {
        var text = new string('a', 257) + " https://contoso.example/a/very/long/path/that/is/more/than/twenty-three/characters?utm_source=acme";
        Assert.Equal(281, SocialPostLimits.Check(SocialNetwork.X, text).Length);
        Assert.False(SocialPostLimits.Check(SocialNetwork.X, text).Fits);
        Assert.True(SocialPostLimits.Check(SocialNetwork.X, text[1..]).Fits);
    }

    [Fact]
    public void X_counts_cjk_and_emoji_double()
    {
        Assert.Equal(2 + 2 + 1, SocialPostLimits.Check(SocialNetwork.X, "日本a").Length);
        Assert.Equal(2, SocialPostLimits.Check(SocialNetwork.X, "🚀").Length);
    }

    [Theory]
    [InlineData(SocialNetwork.LinkedIn, 3_000)]
    [InlineData(SocialNetwork.Facebook, 63_206)]
    public void LinkedIn_and_Facebook_count_characters(SocialNetwork network, int limit)
    {
        Assert.True(SocialPostLimits.Check(network, new string('é', limit)).Fits);
        var over = SocialPostLimits.Check(network, new string('é', limit) + "🚀");
        Assert.False(over.Fits);
        Assert.Equal(limit + 1, over.Length);
        Assert.Contains($"allows {limit:N0}", over.Problem);
    }
}
