using System.Security.Cryptography;
using System.Text;

namespace Tcma.Storage;

/// <summary>Azure's rules for PartitionKey and RowKey values, checked here because Azurite lets some through.</summary>
public static class TableKeys
{
    /// <summary>1 KiB, counted as UTF-16 like the service counts entity sizes.</summary>
    public const int MaxKeyChars = 512;

    public static bool IsValid(string key) =>
        key.Length <= MaxKeyChars && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    public static string Check(string key, string what)
    {
        if (!IsValid(key))
            throw new ArgumentException($"{what} '{Shorten(key)}' is not a valid table key: at most {MaxKeyChars} characters, no '/', '\\', '#', '?' or control characters");
        return key;
    }

    /// <summary>
    /// A key for any caller-supplied text: the text itself when it is short and valid, otherwise a hash, so a
    /// strange id still dedupes but never breaks a query.
    /// </summary>
    public static string Safe(string text, int maxChars = 200) =>
        text.Length <= maxChars && IsValid(text) && !text.StartsWith("sha256-", StringComparison.Ordinal)
            ? text
            : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    internal static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "...";
}
