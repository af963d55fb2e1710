using System.IO.Compression;
using System.Text;

namespace Tcma.Domain.Mdf;

/// <summary>What proof of performance a program accepts: invoices (PDF), screenshots (PNG, JPEG), attendee lists (CSV, XLSX).</summary>
public sealed record ProofFileRules
{
    public long MaxBytes { get; init; } = 10 * 1024 * 1024;
    public int MaxFiles { get; init; } = 20;
}

/// <summary>A proof-of-performance file as the claim records it; the bytes live in a blob, checked by <see cref="Check"/> on upload.</summary>
public sealed record ProofFile(string Name, string ContentType, long Size)
{
    public const string Pdf = "application/pdf";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Csv = "text/csv";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static readonly Dictionary<string, string[]> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        [Pdf] = [".pdf"], [Png] = [".png"], [Jpeg] = [".jpg", ".jpeg"], [Csv] = [".csv"], [Xlsx] = [".xlsx"],
    };

    public static IReadOnlyCollection<string> AllowedTypes => Extensions.Keys;

    /// <summary>Checks what the partner's browser declared, before any byte is stored.</summary>
    public IReadOnlyList<Refusal> CheckDeclared(ProofFileRules rules)
    {
        var problems = new List<Refusal>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 200 || Name.IndexOfAny(['/', '\\']) >= 0 || Name.Any(char.IsControl) || Name.Trim('.').Length == 0)
            problems.Add(new("proof.bad_name", "A proof file needs a plain file name (no folders, at most 200 characters)."));
        if (!Extensions.TryGetValue(ContentType ?? "", out var extensions))
            problems.Add(new("proof.type_not_allowed", $"'{Name}' is {ContentType}; proof must be PDF, PNG, JPEG, CSV or XLSX."));
        else if (!extensions.Any(x => (Name ?? "").EndsWith(x, StringComparison.OrdinalIgnoreCase)))
            problems.Add(new("proof.extension_mismatch", $"'{Name}' is declared as {ContentType} but its name does not end in {string.Join(" or ", extensions)}."));
        if (Size <= 0) problems.Add(new("proof.empty", $"'{Name}' is empty."));
        else if (Size > rules.MaxBytes) problems.Add(new("proof.too_large", $"'{Name}' is {Size:N0} bytes; the limit is {rules.MaxBytes:N0}."));
        return problems;
    }

    /// <summary>
    /// Looks at the bytes themselves: a file is accepted only if it is what it claims to be (magic numbers for
    /// PDF, PNG and JPEG; a zip holding a workbook for XLSX; UTF-8 text without control characters for CSV).
    /// </summary>
    public static Refusal? Check(ReadOnlySpan<byte> bytes, string declaredType, ProofFileRules? rules = null)
    {
        rules ??= new ProofFileRules();
        if (bytes.Length == 0) return new("proof.empty", "The file is empty.");
        if (bytes.Length > rules.MaxBytes) return new("proof.too_large", $"The file is {bytes.Length:N0} bytes; the limit is {rules.MaxBytes:N0}.");
        var ok = declaredType switch
        {
            Pdf => bytes.StartsWith("%PDF-"u8),
            Png => bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
            Jpeg => bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]),
            Xlsx => bytes.StartsWith("PK\x03\x04"u8) && IsWorkbook(bytes),
            Csv => IsPlainText(bytes),
            _ => (bool?)null,
        };
        return ok switch
        {
            null => new("proof.type_not_allowed", $"{declaredType} is not accepted; proof must be PDF, PNG, JPEG, CSV or XLSX."),
            false => new("proof.content_mismatch", $"The file says it is {declaredType}, but its content is not."),
            true => null,
        };
    }

    private static bool IsWorkbook(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes.ToArray(), writable: false), ZipArchiveMode.Read);
            return zip.Entries.Any(e => e.FullName == "xl/workbook.xml");
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static bool IsPlainText(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return !text.Any(ch => char.IsControl(ch) && ch is not ('\r' or '\n' or '\t'));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
