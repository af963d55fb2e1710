using System.Net.Mail;

namespace Tcma.Domain.Launches;

/// <summary>One of a partner's own contacts, who said yes to hearing from them.</summary>
public sealed record Contact(string Email, string FirstName, string LastName, string Company)
{
    /// <summary>A person erased from the list: their place is kept blank so a resumed fan-out's chunks still line up.</summary>
    public static Contact Erased { get; } = new("", "", "", "");

    public bool IsErased => Email.Length == 0;
}

/// <summary>A row that was not imported, and why, so the partner can fix the file.</summary>
public sealed record SkippedRow(int Row, string Reason);

public sealed record ContactImport(
    IReadOnlyList<Contact> Contacts,
    int WithoutConsent,
    int Duplicates,
    IReadOnlyList<SkippedRow> Invalid)
{
    public int Imported => Contacts.Count;
}

public sealed record ContactImportLimits
{
    public long MaxBytes { get; init; } = 5 * 1024 * 1024;
    public int MaxRows { get; init; } = 50_000;
    public int MaxFieldLength { get; init; } = 254;
}

/// <summary>
/// Reads a partner's contact CSV (exported from any CRM or spreadsheet). Only contacts with recorded consent are
/// imported: the others are counted, never emailed. Duplicates (by case-insensitive address) keep the first row.
/// </summary>
public static class ContactList
{
    private static readonly string[] EmailHeaders = ["email", "e-mail", "email address", "e-mail address", "mail"];
    private static readonly string[] FirstNameHeaders = ["first name", "firstname", "first_name", "given name"];
    private static readonly string[] LastNameHeaders = ["last name", "lastname", "last_name", "surname", "family name"];
    private static readonly string[] CompanyHeaders = ["company", "company name", "organisation", "organization", "account"];
    private static readonly string[] ConsentHeaders = ["consent", "opt-in", "optin", "opt in", "marketing consent", "subscribed"];
    private static readonly HashSet<string> Yes = new(StringComparer.OrdinalIgnoreCase) { "yes", "y", "true", "1", "opted in", "opt-in", "subscribed", "granted" };

    public static (ContactImport? Import, string? Error) Read(Stream csv, ContactImportLimits limits)
    {
        var (table, error) = CsvUpload.ReadTable(csv, limits.MaxBytes, maxFieldSize: 100_000, limits.MaxRows, "contacts");
        if (table is null) return (null, error);
        var (email, first, last, company, consent) = (table.Column(EmailHeaders), table.Column(FirstNameHeaders), table.Column(LastNameHeaders), table.Column(CompanyHeaders), table.Column(ConsentHeaders));
        if (email < 0) return (null, "no email column: the first row must name the columns, one of them 'Email'");
        if (consent < 0) return (null, "no consent column: add a 'Consent' column saying yes for contacts who agreed to hear from you");

        var contacts = new List<Contact>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var invalid = new List<SkippedRow>();
        int withoutConsent = 0, duplicates = 0;
        foreach (var row in table.Rows)
        {
            string Field(int i) => row[i]?.Trim() ?? "";
            var address = Field(email);
            if (row.Fields.Any(f => f.Length > limits.MaxFieldLength))
            {
                invalid.Add(new SkippedRow(row.Line, $"a value is longer than {limits.MaxFieldLength} characters"));
                continue;
            }
            if (!IsEmailAddress(address))
            {
                invalid.Add(new SkippedRow(row.Line, address.Length == 0 ? "no email address" : $"'{address}' is not an email address"));
                continue;
            }
            if (!Yes.Contains(Field(consent)))
            {
                withoutConsent++;
                continue;
            }
            if (!seen.Add(address))
            {
                duplicates++;
                continue;
            }
            contacts.Add(new Contact(address, Field(first), Field(last), Field(company)));
        }
        return (new ContactImport(contacts, withoutConsent, duplicates, invalid), null);
    }

    public static bool IsEmailAddress(string address)
    {
        if (address.Length is < 3 or > 254 || address.Any(char.IsWhiteSpace) || address.Any(c => c is '<' or '>' or '"' or ',' or ';')) return false;
        if (!MailAddress.TryCreate(address, out var parsed) || parsed.Address != address) return false;
        var domain = parsed.Host;
        return domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..");
    }
}
