using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Tcma.Syndication;

/// <summary>
/// Encrypts OAuth tokens at rest with AES-GCM. Output is "<kid>.<base64url(nonce | tag | ciphertext)>": the key id in
/// front lets keys rotate (new tokens use the active key, old ones still decrypt while their key is configured). The
/// key id and the account binding are authenticated data, so a token moved to another account, or relabelled with
/// another key id, fails to decrypt instead of being used.
/// </summary>
public sealed class SocialTokenProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Dictionary<string, byte[]> _keys;
    private readonly string _activeKeyId;

    public SocialTokenProtector(IOptions<SyndicationOptions> options)
        : this(options.Value.TokenKeys, options.Value.ActiveTokenKey)
    {
    }

    public SocialTokenProtector(IReadOnlyDictionary<string, string> keys, string? activeKeyId)
    {
        _keys = new(StringComparer.Ordinal);
        foreach (var (kid, base64) in keys)
        {
            if (string.IsNullOrEmpty(kid) || kid.Contains('.'))
                throw new InvalidOperationException($"Syndication:TokenKeys: key id '{kid}' must be non-empty and contain no '.'.");
            byte[] key;
            try { key = Convert.FromBase64String(base64); }
            catch (FormatException) { throw new InvalidOperationException($"Syndication:TokenKeys:{kid} is not base64."); }
            if (key.Length is not (16 or 24 or 32))
                throw new InvalidOperationException($"Syndication:TokenKeys:{kid} must be 16, 24 or 32 bytes, not {key.Length}.");
            _keys[kid] = key;
        }
        if (string.IsNullOrEmpty(activeKeyId) || !_keys.ContainsKey(activeKeyId))
            throw new InvalidOperationException("Syndication:ActiveTokenKey must name one of Syndication:TokenKeys.");
        _activeKeyId = activeKeyId;
    }

    public string Protect(string token, string binding)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var plaintext = Encoding.UTF8.GetBytes(token);
        var payload = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = payload.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[_activeKeyId], TagSize);
        aes.Encrypt(nonce, plaintext, payload.AsSpan(NonceSize + TagSize), payload.AsSpan(NonceSize, TagSize), AssociatedData(_activeKeyId, binding));
        CryptographicOperations.ZeroMemory(plaintext);
        return _activeKeyId + "." + Base64Url.EncodeToString(payload);
    }

    /// <exception cref="SocialTokenException">Malformed, tampered, bound to another account, or under an unknown key.</exception>
    public string Unprotect(string protectedToken, string binding)
    {
        var dot = protectedToken.IndexOf('.');
        if (dot <= 0)
            throw new SocialTokenException("The stored token is not in the protected format.");
        var kid = protectedToken[..dot];
        if (!_keys.TryGetValue(kid, out var key))
            throw new SocialTokenException($"The stored token was encrypted with key '{kid}', which is not configured.");
        byte[] payload;
        try { payload = Base64Url.DecodeFromChars(protectedToken.AsSpan(dot + 1)); }
        catch (FormatException) { throw new SocialTokenException("The stored token is not in the protected format."); }
        if (payload.Length <= NonceSize + TagSize)
            throw new SocialTokenException("The stored token is truncated.");
        var plaintext = new byte[payload.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(payload.AsSpan(0, NonceSize), payload.AsSpan(NonceSize + TagSize), payload.AsSpan(NonceSize, TagSize), plaintext, AssociatedData(kid, binding));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SocialTokenException("The stored token failed authentication: it was altered or belongs to another account.");
        }
        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>True when the token is under an older key and should be re-encrypted (Unprotect then Protect) on next write.</summary>
    public bool NeedsRotation(string protectedToken) => !protectedToken.StartsWith(_activeKeyId + ".", StringComparison.Ordinal);

    private static byte[] AssociatedData(string kid, string binding) => Encoding.UTF8.GetBytes($"tcma-social-token\n{kid}\n{binding}");

    /// <summary>A fixed key for local development only, so a dev machine needs no secret to connect test accounts.</summary>
    internal static readonly string DevelopmentKey = Convert.ToBase64String(SHA256.HashData("tcma-development-social-token-key"u8));
}

public sealed class SocialTokenException(string message) : Exception(message);
