using System.Security.Cryptography;
using Tcma.Domain.Identity;

namespace Tcma.UnitTests.Identity;

public sealed class TokenSignerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] KeyA = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] KeyB = RandomNumberGenerator.GetBytes(32);

    private static TokenSigner Signer(string active, params (string Id, byte[] Key)[] keys) =>
        new(new TokenKeys(keys.ToDictionary(k => k.Id, k => k.Key), active));

    private static string Token(TokenSigner signer, string purpose = TokenPurposes.Launch) =>
        signer.Sign(purpose, "partner-42", "acme", Now.AddDays(7));

    [Fact]
    public void A_signed_token_verifies_and_carries_what_was_signed()
    {
        var signer = Signer("a", ("a", KeyA));
        var result = signer.Verify(Token(signer), TokenPurposes.Launch, Now);

        Assert.True(result.IsValid, result.Failure.ToString());
        Assert.Equal(new SignedToken(TokenPurposes.Launch, "partner-42", "acme", Now.AddDays(7), result.Token!.Nonce, "a"), result.Token);
        Assert.Equal(22, result.Token.Nonce.Length);
    }

    [Fact]
    public void The_token_is_url_safe()
    {
        var token = Token(Signer("a", ("a", KeyA)));
        Assert.Equal(token, Uri.EscapeDataString(token));
    }

    [Fact]
    public void Changing_any_character_of_the_token_makes_it_invalid()
    {
        var signer = Signer("a", ("a", KeyA));
        var token = Token(signer);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
        for (var i = 0; i < token.Length; i++)
        {
            // Every other character at this position, so the spare low bits of Base64's last character are covered too.
            foreach (var replacement in alphabet.Where(c => c != token[i]))
            {
                var tampered = string.Concat(token.AsSpan(0, i), replacement.ToString(), token.AsSpan(i + 1));
                var result = signer.Verify(tampered, TokenPurposes.Launch, Now);
                Assert.False(result.IsValid, $"position {i} changed to '{replacement}' still verified");
            }
        }
    }

    [Fact]
    public void Truncated_extended_or_empty_tokens_are_malformed()
    {
        var signer = Signer("a", ("a", KeyA));
        var token = Token(signer);
        Assert.Equal(TokenFailure.Malformed, signer.Verify(token[..^1], TokenPurposes.Launch, Now).Failure);
        Assert.Equal(TokenFailure.Malformed, signer.Verify(token + "A", TokenPurposes.Launch, Now).Failure);
        Assert.Equal(TokenFailure.Malformed, signer.Verify(token + "." + token, TokenPurposes.Launch, Now).Failure);
        Assert.Equal(TokenFailure.Malformed, signer.Verify("", TokenPurposes.Launch, Now).Failure);
        Assert.Equal(TokenFailure.Malformed, signer.Verify(null, TokenPurposes.Launch, Now).Failure);
        Assert.Equal(TokenFailure.Malformed, signer.Verify(new string('A', 5000), TokenPurposes.Launch, Now).Failure);
    }

    [Fact]
    public void A_token_expires_at_its_expiry_by_the_clock_passed_in()
    {
        var signer = Signer("a", ("a", KeyA));
        var token = Token(signer);
        Assert.True(signer.Verify(token, TokenPurposes.Launch, Now.AddDays(7).AddSeconds(-1)).IsValid);
        Assert.Equal(TokenFailure.Expired, signer.Verify(token, TokenPurposes.Launch, Now.AddDays(7)).Failure);
        Assert.Equal(TokenFailure.Expired, signer.Verify(token, TokenPurposes.Launch, Now.AddYears(1)).Failure);
    }

    [Fact]
    public void A_token_for_one_purpose_never_opens_another()
    {
        var signer = Signer("a", ("a", KeyA));
        var token = Token(signer, TokenPurposes.Unsubscribe);
        Assert.Equal(TokenFailure.WrongPurpose, signer.Verify(token, TokenPurposes.Approve, Now).Failure);
        Assert.True(signer.Verify(token, TokenPurposes.Unsubscribe, Now).IsValid);
    }

    [Fact]
    public void After_rotation_tokens_signed_with_the_old_key_still_verify_and_new_ones_use_the_new_key()
    {
        var old = Token(Signer("a", ("a", KeyA)));
        var rotated = Signer("b", ("a", KeyA), ("b", KeyB));

        Assert.True(rotated.Verify(old, TokenPurposes.Launch, Now).IsValid);
        var fresh = rotated.Verify(Token(rotated), TokenPurposes.Launch, Now);
        Assert.Equal("b", fresh.Token!.KeyId);
    }

    [Fact]
    public void Once_a_key_is_removed_its_tokens_fail()
    {
        var old = Token(Signer("a", ("a", KeyA)));
        var withoutA = Signer("b", ("b", KeyB));
        Assert.Equal(TokenFailure.UnknownKey, withoutA.Verify(old, TokenPurposes.Launch, Now).Failure);
    }

    [Fact]
    public void A_different_secret_under_the_same_key_id_fails_the_signature()
    {
        var token = Token(Signer("a", ("a", KeyA)));
        Assert.Equal(TokenFailure.BadSignature, Signer("a", ("a", KeyB)).Verify(token, TokenPurposes.Launch, Now).Failure);
    }

    [Fact]
    public void Weak_or_missing_keys_are_refused_at_configuration()
    {
        Assert.Throws<ArgumentException>(() => new TokenKeys(new Dictionary<string, byte[]> { ["a"] = new byte[16] }, "a"));
        Assert.Throws<ArgumentException>(() => new TokenKeys(new Dictionary<string, byte[]> { ["a"] = KeyA }, "b"));
        Assert.Throws<ArgumentException>(() => new TokenKeys(new Dictionary<string, byte[]> { ["a.b"] = KeyA }, "a.b"));
    }
}
