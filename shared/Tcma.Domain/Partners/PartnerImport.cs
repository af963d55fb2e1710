
namespace Tcma.Domain.Partners;

/// <summary>A CSV row that became a valid partner.</summary>
public sealed record ImportedPartner(int Row, Partner Partner);

/// <summary>A CSV row that was not imported, with every reason, so the vendor can fix the file and import it again.</summary>
public sealed record RejectedPartnerRow(int Row, string? PartnerId, IReadOnlyList<string> Reasons);

/// <param name="HasStatusColumn">Without a Status column, an import leaves an existing partner's status as it is.</param>
public sealed record PartnerImportResult(IReadOnlyList<ImportedPartner> Partners, IReadOnlyList<RejectedPartnerRow> Rejected, bool HasStatusColumn);

public sealed record PartnerImportLimits
{
    public long MaxBytes { get; init; } = 2 * 1024 * 1024;
    public int MaxRows { get; init; } = 2_000;
}

/// <summary>
/// Reads a vendor's partner list: one row per partner, exported from a CRM or a spreadsheet. Columns are found by
/// name (a few usual spellings each); rows are judged one by one, so one bad row never stops the good ones.
/// </summary>
public static class PartnerImport
{
    private static readonly string[] IdHeaders = ["partner id", "partnerid", "partner_id", "id"];
    private static readonly string[] CompanyHeaders = ["company", "company name", "partner", "partner name", "organisation", "organization"];
    private static readonly string[] TierHeaders = ["tier", "partner tier", "level"];
    private static readonly string[] RegionHeaders = ["region", "territory"];
    private static readonly string[] CountryHeaders = ["country", "country code"];
    private static readonly string[] SpecialisationHeaders = ["specialisations", "specializations", "specialisation", "specialization", "competencies"];
    private static readonly string[] ContactNameHeaders = ["contact name", "contact", "primary contact"];
    private static readonly string[] ContactEmailHeaders = ["contact email", "email", "e-mail", "contact e-mail"];
    private static readonly string[] ContactRoleHeaders = ["contact role", "role", "job title"];
    private static readonly string[] StatusHeaders = ["status"];

    public static (PartnerImportResult? Result, string? Error) Read(Stream csv, PartnerImportLimits limits)
    {
        var (table, error) = CsvUpload.ReadTable(csv, limits.MaxBytes, maxFieldSize: 10_000, limits.MaxRows, "partners");
        if (table is null) return (null, error);
        int Column(string[] names) => table.Column(names);
        var columns = new
        {
            Id = Column(IdHeaders), Company = Column(CompanyHeaders), Tier = Column(TierHeaders), Region = Column(RegionHeaders),
            Country = Column(CountryHeaders), Specialisations = Column(SpecialisationHeaders), ContactName = Column(ContactNameHeaders),
            ContactEmail = Column(ContactEmailHeaders), ContactRole = Column(ContactRoleHeaders), Status = Column(StatusHeaders),
        };
        var missing = new[] { ("Partner ID", columns.Id), ("Company", columns.Company), ("Tier", columns.Tier), ("Region", columns.Region),
                ("Contact name", columns.ContactName), ("Contact email", columns.ContactEmail) }
            .Where(c => c.Item2 < 0).Select(c => c.Item1).ToList();
        if (missing.Count > 0)
            return (null, $"the first row must name the columns; missing: {string.Join(", ", missing)}");

        var partners = new List<ImportedPartner>();
        var rejected = new List<RejectedPartnerRow>();
        var firstRowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in table.Rows)
        {
            var row = line.Line;
            string? Field(int i) => line[i];
            var id = Field(columns.Id)?.Trim();
            var input = new PartnerInput
            {
                CompanyName = Field(columns.Company), Tier = Field(columns.Tier), Region = Field(columns.Region), Country = Field(columns.Country),
                Specialisations = (Field(columns.Specialisations) ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Contacts = [new PartnerContactInput(Field(columns.ContactName), Field(columns.ContactEmail), Field(columns.ContactRole), true)],
                Status = Field(columns.Status),
            };
            var (partner, problems) = PartnerValidator.Validate(id, input);
            var reasons = problems.Select(p => $"{ColumnOf(p.Field)}: {p.Message}").ToList();
            if (PartnerValidator.IsPartnerId(id) && firstRowOf.TryGetValue(id!, out var first))
                reasons.Insert(0, $"Partner ID: {id} is already on row {first}; each partner appears once");
            else if (PartnerValidator.IsPartnerId(id))
                firstRowOf[id!] = row;
            if (partner is null || reasons.Count > 0)
                rejected.Add(new RejectedPartnerRow(row, string.IsNullOrEmpty(id) ? null : Shorten(id), reasons));
            else
                partners.Add(new ImportedPartner(row, partner));
        }
        return (new PartnerImportResult(partners, rejected, columns.Status >= 0), null);
    }

    /// <summary>
    /// What an imported row makes of a partner already onboarded: the file's company, tier, region, country and
    /// specialisations, its contact as the primary one, and the contacts added before (through the API) kept.
    /// </summary>
    public static Partner Merge(Partner? existing, Partner imported, bool hasStatusColumn)
    {
        if (existing is null) return imported;
        var primary = imported.Contacts[0] with { Primary = true };
        var others = existing.Contacts
            .Where(c => !string.Equals(c.Email, primary.Email, StringComparison.OrdinalIgnoreCase))
            .Select(c => c with { Primary = false })
            .Take(PartnerValidator.MaxContacts - 1);
        return imported with
        {
            Contacts = [primary, .. others],
            Status = hasStatusColumn ? imported.Status : existing.Status,
        };
    }

    /// <summary>The column a vendor sees in their file for a field of the API.</summary>
    private static string ColumnOf(string field) => field switch
    {
        "id" => "Partner ID",
        "companyName" => "Company",
        "tier" => "Tier",
        "region" => "Region",
        "country" => "Country",
        "specialisations" => "Specialisations",
        "status" => "Status",
        "contacts" => "Contact",
        _ when field.EndsWith(".name", StringComparison.Ordinal) => "Contact name",
        _ when field.EndsWith(".email", StringComparison.Ordinal) => "Contact email",
        _ when field.EndsWith(".role", StringComparison.Ordinal) => "Contact role",
        _ => field,
    };

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "...";
}
