using System.Security.Cryptography;
using Tcma.Syndication;

namespace Tcma.UnitTests.Syndication;

public sealed class SocialTokenProtectorTests
{
    private static readonly string KeyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private const string Token = "AQXb3h8_a-real-looking-linkedin-access-token";
    private const string Binding = "LinkedIn:urn:li:organization:5515715";

    private static SocialTokenProtector Protector(string active, params (string Kid, string Key)[] keys) =>
        new(keys.ToDictionary(k => k.Kid, k => k.Key), active);

    [Fact]
    public void A_token_round_trips_and_is_not_readable_at_rest()
    {
        var protector = Protector("a", ("a", KeyA));

        var stored = protector.Protect(Token, Binding);

        Assert.StartsWith("a.", stored);
        Assert.DoesNotContain(Token, stored);
        Assert.Equal(Token, protector.Unprotect(stored, Binding));
    }

    [Fact]
    public void The_same_token_encrypts_differently_each_time()
    {
        var protector = Protector("a", ("a", KeyA));

        Assert.NotEqual(protector.Protect(Token, Binding), protector.Protect(Token, Binding));
    }

    [Fact]
    public void Any_altered_byte_fails_to_decrypt()
    {
        var protector = Protector("a", ("a", KeyA));
        var stored = protector.Protect(Token, Binding);
        var payload = System.Buffers.Text.Base64Url.DecodeFromChars(stored.AsSpan(2));

        for (var i = 0; i < payload.Length; i++)
        {
            var tampered = (byte[])payload.Clone();
            tampered[i] ^= 0x01;
            var text = "a." + System.Buffers.Text.Base64Url.EncodeToString(tampered);
            Assert.Throws<SocialTokenException>(() => protector.Unprotect(text, Binding));
        }
    }

    [Fact]
    public void A_token_copied_to_another_account_fails_to_decrypt()
    {
        var protector = Protector("a", ("a", KeyA));
        var stored = protector.Protect(Token, Binding);

        Assert.Throws<SocialTokenException>(() => protector.Unprotect(stored, "LinkedIn:urn:li:organization:1"));
    }

    [Fact]
    public void After_rotation_old_tokens_still_decrypt_and_new_ones_use_the_new_key()
    {
        var before = Protector("a", ("a", KeyA));
        var old = before.Protect(Token, Binding);
        var after = Protector("b", ("a", KeyA), ("b", KeyB));

        var fresh = after.Protect(Token, Binding);

        Assert.Equal(Token, after.Unprotect(old, Binding));
        Assert.True(after.NeedsRotation(old));
        Assert.StartsWith("b.", fresh);
        Assert.False(after.NeedsRotation(fresh));
    }

    [Fact]
    public void A_token_under_an_unknown_key_fails_and_names_the_key_not_the_token()
    {
        var stored = Protector("a", ("a", KeyA)).Protect(Token, Binding);
        var withoutA = Protector("b", ("b", KeyB));

        var error = Assert.Throws<SocialTokenException>(() => withoutA.Unprotect(stored, Binding));

        Assert.Contains("'a'", error.Message);
        Assert.DoesNotContain(Token, error.Message);
    }

    [Fact]
    public void Relabelling_a_token_with_another_configured_key_id_fails()
    {
        var protector = Protector("a", ("a", KeyA), ("b", KeyA));
        var stored = protector.Protect(Token, Binding);

        Assert.Throws<SocialTokenException>(() => protector.Unprotect("b" + stored[1..], Binding));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData("a.!!!")]
    [InlineData("a.AAAA")]
    public void Malformed_stored_values_fail_cleanly(string stored)
    {
        Assert.Throws<SocialTokenException>(() => Protector("a", ("a", KeyA)).Unprotect(stored, Binding));
    }

    [Fact]
    public void Bad_configuration_fails_at_start_up()
    {
        Assert.Throws<InvalidOperationException>(() => Protector("missing", ("a", KeyA)));
        Assert.Throws<InvalidOperationException>(() => Protector("a", ("a", "not base64")));
        Assert.Throws<InvalidOperationException>(() => Protector("a", ("a", Convert.ToBase64String(new byte[7]))));
        Assert.Throws<InvalidOperationException>(() => Protector("a.b", ("a.b", KeyA)));
    }
}
