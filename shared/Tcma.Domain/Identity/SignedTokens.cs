using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tcma.Domain.Identity;

/// <summary>The purposes of emailed links. A token signed for one purpose never opens another.</summary>
public static class TokenPurposes
{
    public const string Launch = "launch";
    public const string Approve = "approve";
    public const string Accept = "accept";
    public const string Unsubscribe = "unsubscribe";
    /// <summary>The emailed partner portal sign-in link: single use, minutes long; its subject is the address's hash.</summary>
    public const string SignIn = "signin";
    /// <summary>Proves a sign-in link was used, while its owner picks which of several partners to sign in as.</summary>
    public const string SignInChoice = "signin-choice";
    /// <summary>The partner portal session cookie: names one session row; the row decides.</summary>
    public const string Session = "session";

    /// <summary>Purposes that never stand for a partner, so a link scheme must not take them as one.</summary>
    public static readonly IReadOnlySet<string> NotPartnerLinks = new HashSet<string>(StringComparer.Ordinal) { SignIn, SignInChoice, Session };
}

/// <summary>What a signed link says: who it is for (subject), within which vendor, for what, until when.</summary>
public sealed record SignedToken(string Purpose, string Subject, string VendorId, DateTimeOffset ExpiresAt, string Nonce, string KeyId);

public enum TokenFailure
{
    None,
    Malformed,
    UnknownKey,
    BadSignature,
    Expired,
    WrongPurpose,
    AlreadyUsed,
}

/// <summary>The outcome of verifying a token: the token, or why not. The reason is for logs, never for the user.</summary>
public sealed record TokenVerification(SignedToken? Token, TokenFailure Failure)
{
    public bool IsValid => Token is not null && Failure == TokenFailure.None;
    public static TokenVerification Fail(TokenFailure reason) => new(null, reason);
}

/// <summary>HMAC-SHA256 keys by id; <see cref="ActiveKeyId"/> signs, every key verifies, so keys rotate without breaking sent links.</summary>
public sealed class TokenKeys
{
    public const int MinimumKeyBytes = 32;

    public TokenKeys(IReadOnlyDictionary<string, byte[]> keys, string activeKeyId)
    {
        if (!keys.ContainsKey(activeKeyId)) throw new ArgumentException($"The active token key '{activeKeyId}' is not configured.", nameof(activeKeyId));
        foreach (var (id, key) in keys)
        {
            if (!IsValidKeyId(id)) throw new ArgumentException($"Token key id '{id}' must be 1-16 letters or digits.", nameof(keys));
            if (key.Length < MinimumKeyBytes) throw new ArgumentException($"Token key '{id}' must be at least {MinimumKeyBytes} bytes.", nameof(keys));
        }
        Keys = keys;
        ActiveKeyId = activeKeyId;
    }

    public IReadOnlyDictionary<string, byte[]> Keys { get; }
    public string ActiveKeyId { get; }

    public static bool IsValidKeyId(string id) => id.Length is >= 1 and <= 16 && id.All(char.IsAsciiLetterOrDigit);
}

/// <summary>
/// Signs and verifies the tokens in every emailed link. Format: <c>base64url(payload).base64url(hmac)</c>, where
/// the payload is compact JSON naming the key id, so verification picks the key that signed it.
/// </summary>
public sealed class TokenSigner(TokenKeys keys)
{
    /// <summary>Links are pasted into mail clients and chat; anything longer than this is not ours.</summary>
    public const int MaxTokenLength = 2048;

    public string Sign(string purpose, string subject, string vendorId, DateTimeOffset expiresAt, string? nonce = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentException.ThrowIfNullOrWhiteSpace(vendorId);
        var payload = new Payload(purpose, subject, vendorId, expiresAt.ToUnixTimeSeconds(),
            nonce ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)), keys.ActiveKeyId);
        var payloadBytes = JsonSerializer.SerializeToUtf8Bytes(payload, PayloadJson.Default.Payload);
        var mac = HMACSHA256.HashData(keys.Keys[keys.ActiveKeyId], payloadBytes);
        return Base64Url.EncodeToString(payloadBytes) + "." + Base64Url.EncodeToString(mac);
    }

    public TokenVerification Verify(string? token, string expectedPurpose, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength) return TokenVerification.Fail(TokenFailure.Malformed);
        var dot = token.IndexOf('.');
        if (dot <= 0 || dot != token.LastIndexOf('.')) return TokenVerification.Fail(TokenFailure.Malformed);
        if (!TryDecodeCanonical(token.AsSpan(0, dot), out var payloadBytes) || !TryDecodeCanonical(token.AsSpan(dot + 1), out var mac))
            return TokenVerification.Fail(TokenFailure.Malformed);
        if (mac.Length != HMACSHA256.HashSizeInBytes) return TokenVerification.Fail(TokenFailure.Malformed);

        Payload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(payloadBytes, PayloadJson.Default.Payload);
        }
        catch (JsonException)
        {
            return TokenVerification.Fail(TokenFailure.Malformed);
        }
        if (payload is null || payload.KeyId is null || payload.Purpose is null || payload.Subject is null || payload.VendorId is null || payload.Nonce is null)
            return TokenVerification.Fail(TokenFailure.Malformed);
        if (!keys.Keys.TryGetValue(payload.KeyId, out var key)) return TokenVerification.Fail(TokenFailure.UnknownKey);

        var expected = HMACSHA256.HashData(key, payloadBytes);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac)) return TokenVerification.Fail(TokenFailure.BadSignature);
        if (payload.Purpose != expectedPurpose) return TokenVerification.Fail(TokenFailure.WrongPurpose);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(payload.ExpiresAt);
        if (now >= expiresAt) return TokenVerification.Fail(TokenFailure.Expired);
        return new TokenVerification(new SignedToken(payload.Purpose, payload.Subject, payload.VendorId, expiresAt, payload.Nonce, payload.KeyId), TokenFailure.None);
    }

    /// <summary>Reads the purpose without trusting it, so a handler can pick which purpose to verify against.</summary>
    public static string? PeekPurpose(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength) return null;
        var dot = token.IndexOf('.');
        if (dot <= 0 || !TryDecodeCanonical(token.AsSpan(0, dot), out var payloadBytes)) return null;
        try
        {
            return JsonSerializer.Deserialize(payloadBytes, PayloadJson.Default.Payload)?.Purpose;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Base64 ignores the spare low bits of the last character; requiring the canonical form means that
    // changing any character of a token changes the bytes and so breaks the signature.
    private static bool TryDecodeCanonical(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.IsEmpty) return false;
        var buffer = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (Base64Url.DecodeFromChars(text, buffer, out var consumed, out var written) != System.Buffers.OperationStatus.Done || consumed != text.Length)
            return false;
        bytes = buffer[..written];
        return Base64Url.EncodeToString(bytes).AsSpan().SequenceEqual(text);
    }

    internal sealed record Payload(
        [property: JsonPropertyName("p")] string Purpose,
        [property: JsonPropertyName("s")] string Subject,
        [property: JsonPropertyName("v")] string VendorId,
        [property: JsonPropertyName("e")] long ExpiresAt,
        [property: JsonPropertyName("n")] string Nonce,
        [property: JsonPropertyName("k")] string KeyId);
}

[JsonSerializable(typeof(TokenSigner.Payload))]
internal sealed partial class PayloadJson : JsonSerializerContext;
