using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tcma.Domain.Leads;

public enum SignatureCheck
{
    Valid,
    /// <summary>The header is missing parts or is not in the form t=...,v1=....</summary>
    Malformed,
    /// <summary>The timestamp is further from now than the tolerance: a replay, or a badly wrong clock.</summary>
    OutsideTolerance,
    /// <summary>No signature matches this body and secret: the body was changed or the secret is wrong.</summary>
    Mismatch,
}

/// <summary>
/// HMAC-SHA256 over "{unix seconds}.{body}", sent as "t={unix seconds},v1={hex}". Signing the timestamp with the body lets
/// a receiver refuse replays; several v1 values are accepted so a secret can be rotated without a gap.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "Tcma-Signature";
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string body, byte[] secret, DateTimeOffset at)
    {
        var t = at.ToUnixTimeSeconds();
        return $"t={t},v1={Convert.ToHexStringLower(Mac(secret, t, body))}";
    }

    public static SignatureCheck Verify(string? header, string body, byte[] secret, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrWhiteSpace(header))
            return SignatureCheck.Malformed;
        long? t = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
                return SignatureCheck.Malformed;
            var (key, value) = (part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (key == "t")
            {
                if (t is not null || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                    return SignatureCheck.Malformed;
                t = seconds;
            }
            else if (key == "v1")
            {
                if (value.Length != 64)
                    return SignatureCheck.Malformed;
                try { signatures.Add(Convert.FromHexString(value)); }
                catch (FormatException) { return SignatureCheck.Malformed; }
            }
            // Unknown schemes (a future v2) are skipped so old receivers keep working.
        }
        if (t is null || signatures.Count == 0)
            return SignatureCheck.Malformed;
        if (Math.Abs(now.ToUnixTimeSeconds() - t.Value) > (tolerance ?? DefaultTolerance).TotalSeconds)
            return SignatureCheck.OutsideTolerance;

        var expected = Mac(secret, t.Value, body);
        var match = false;
        foreach (var candidate in signatures)
            match |= CryptographicOperations.FixedTimeEquals(candidate, expected);
        return match ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    private static byte[] Mac(byte[] secret, long t, string body) =>
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{t}.{body}")));
}
