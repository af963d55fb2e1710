using Tcma.Domain.Identity;

namespace Tcma.UnitTests.Identity;

public sealed class ApiKeySecretTests
{
    [Fact]
    public void A_created_key_parses_back_to_its_vendor_and_id_and_matches_only_its_own_hash()
    {
        var key = ApiKeySecret.Create("acme-eu");
        Assert.StartsWith("tcma_acme-eu_", key.Value);
        Assert.True(ApiKeySecret.TryParse(key.Value, out var parsed));
        Assert.Equal(key, parsed);
        Assert.True(parsed.Matches(key.Hash));
        Assert.False(ApiKeySecret.Create("acme-eu").Matches(key.Hash));
        Assert.Equal(64, key.Hash.Length);
        Assert.DoesNotContain(key.Secret, key.ToString());
    }

    [Fact]
    public void Two_keys_never_share_an_id_or_secret()
    {
        var a = ApiKeySecret.Create("acme");
        var b = ApiKeySecret.Create("acme");
        Assert.NotEqual(a.KeyId, b.KeyId);
        Assert.NotEqual(a.Secret, b.Secret);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("tcma_")]
    [InlineData("Bearer tcma_acme_0123456789ab_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("tcma_acme_0123456789ab_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")]
    [InlineData("tcma_acme_0123456789AB_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("tcma_ACME_0123456789ab_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("tcma_acme_x_0123456789ab_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Malformed_keys_do_not_parse(string? value) => Assert.False(ApiKeySecret.TryParse(value, out _));
}
