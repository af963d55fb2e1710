using System.Security.Cryptography;
using Tcma.Domain;
using Tcma.Functions.Syndication;
using Tcma.Storage.Syndication;
using Tcma.Syndication;

namespace Tcma.UnitTests.Syndication;

/// <summary>Key rotation step 3: the hourly check re-encrypts a healthy account's tokens under the active key.</summary>
public sealed class TokenRotationTests
{
    private static readonly string OldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string NewKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static StoredSocialAccount Account(SocialTokenProtector protector, bool withRefresh = true) => new(
        "northwind", "contoso", SocialNetwork.X, "2244994945", "@partner",
        protector.Protect("access-token", SocialAccount.TokenBindingFor(SocialNetwork.X, "2244994945")),
        withRefresh ? protector.Protect("refresh-token", SocialAccountAccess.RefreshBinding(SocialNetwork.X, "2244994945")) : null,
        DateTimeOffset.UnixEpoch, ["tweet.write"], DateTimeOffset.UnixEpoch, null, null, null, null);

    [Fact]
    public void Tokens_under_a_retired_key_are_re_encrypted_under_the_active_one_with_their_own_bindings()
    {
        var before = new SocialTokenProtector(new Dictionary<string, string> { ["k1"] = OldKey }, "k1");
        var during = new SocialTokenProtector(new Dictionary<string, string> { ["k1"] = OldKey, ["k2"] = NewKey }, "k2");
        var after = new SocialTokenProtector(new Dictionary<string, string> { ["k2"] = NewKey }, "k2");

        var rotated = SocialAccountAccess.Rotated(Account(before), during);

        Assert.NotNull(rotated);
        Assert.Equal("access-token", after.Unprotect(rotated.Value.Token, SocialAccount.TokenBindingFor(SocialNetwork.X, "2244994945")));
        Assert.Equal("refresh-token", after.Unprotect(rotated.Value.RefreshToken!, SocialAccountAccess.RefreshBinding(SocialNetwork.X, "2244994945")));
        Assert.Throws<SocialTokenException>(() => after.Unprotect(rotated.Value.RefreshToken!, SocialAccount.TokenBindingFor(SocialNetwork.X, "2244994945")));
    }

    [Fact]
    public void Tokens_already_under_the_active_key_or_unreadable_are_left_alone()
    {
        var current = new SocialTokenProtector(new Dictionary<string, string> { ["k2"] = NewKey }, "k2");
        var unrelated = new SocialTokenProtector(new Dictionary<string, string> { ["k9"] = OldKey }, "k9");

        Assert.Null(SocialAccountAccess.Rotated(Account(current), current));
        Assert.Null(SocialAccountAccess.Rotated(Account(current, withRefresh: false), current));
        Assert.Null(SocialAccountAccess.Rotated(Account(unrelated), current));
    }
}
