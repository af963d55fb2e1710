using System.Security.Cryptography;
using System.Text;

namespace Tcma.Domain.Identity;

/// <summary>
/// A vendor's automation key as the caller holds it: <c>tcma_{vendorId}_{keyId}_{secret}</c>. The vendor and key id
/// find the stored row with one point read; only the SHA-256 of the whole key is stored, so a leaked table
/// reveals no usable key. The secret carries 256 random bits, which is why a fast hash is enough.
/// </summary>
public sealed record ApiKeySecret(string VendorId, string KeyId, string Secret)
{
    public const string Prefix = "tcma_";
    private const int KeyIdLength = 12;
    private const int SecretLength = 64;

    /// <summary>Which vendor roles a key may carry. Keys never administer: creating and revoking keys stays with people.</summary>
    public static readonly IReadOnlySet<VendorRole> GrantableRoles = new HashSet<VendorRole> { VendorRole.ChannelManager, VendorRole.MdfApprover, VendorRole.Finance };

    public string Value => $"{Prefix}{VendorId}_{KeyId}_{Secret}";

    public string Hash => HashOf(Value);

    public static ApiKeySecret Create(string vendorId)
    {
        if (!VendorIds.IsValid(vendorId)) throw new ArgumentException("invalid vendor id", nameof(vendorId));
        return new ApiKeySecret(vendorId,
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdLength / 2)),
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretLength / 2)));
    }

    public static bool TryParse(string? value, out ApiKeySecret key)
    {
        key = null!;
        if (value is null || value.Length > 200 || !value.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = value[Prefix.Length..].Split('_');
        if (parts.Length != 3 || !VendorIds.IsValid(parts[0]) || !IsLowerHex(parts[1], KeyIdLength) || !IsLowerHex(parts[2], SecretLength)) return false;
        key = new ApiKeySecret(parts[0], parts[1], parts[2]);
        return true;
    }

    public static bool IsKeyId(string? value) => value is not null && IsLowerHex(value, KeyIdLength);

    public bool Matches(string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash), Encoding.ASCII.GetBytes(storedHash));

    public static string HashOf(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static bool IsLowerHex(string s, int length) => s.Length == length && s.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    public override string ToString() => $"{Prefix}{VendorId}_{KeyId}_***";
}
