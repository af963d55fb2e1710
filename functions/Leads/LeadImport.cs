using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain;
using Tcma.Domain.Leads;
using Tcma.Storage;
using Tcma.Storage.Messaging;

namespace Tcma.Functions.Leads;

public sealed record LeadImportLimits
{
    public long MaxBytes { get; init; } = 5 * 1024 * 1024;
    public int MaxRows { get; init; } = 10_000;
}

/// <summary>A row that was not imported, with every reason, so the vendor can fix the file and import it again.</summary>
public sealed record RejectedLeadRow(int Row, IReadOnlyList<string> Reasons);

/// <summary>
/// What an import did. Queued rows become leads (or activities of existing leads) through the LeadCaptured function;
/// AlreadyImported means this very file was imported before and nothing new was queued.
/// </summary>
public sealed record LeadImportView(string ImportId, bool AlreadyImported, int Queued, int Rows, IReadOnlyList<RejectedLeadRow> Rejected);

public abstract record LeadImportOutcome
{
    private LeadImportOutcome() { }
    public sealed record Imported(LeadImportView Result) : LeadImportOutcome;
    public sealed record Refused(int StatusCode, string Reason) : LeadImportOutcome;
}

/// <summary>A file read into submissions (one per good row) and rejected rows.</summary>
public sealed record LeadImportFile(IReadOnlyList<LeadSubmission> Submissions, IReadOnlyList<RejectedLeadRow> Rejected);

/// <summary>
/// CSV import of leads (console and API). Each row is a <see cref="LeadSubmission"/> from <see cref="LeadSource.CsvImport"/>
/// checked by <see cref="SubmissionValidation"/> and put on the same <c>leads-captured</c> queue as every other source.
/// The import id is a hash of the vendor and the file's bytes, and each row's submission id is the import id and the
/// row number: importing the same file again queues nothing, and a crash halfway is finished by importing it again
/// (the rows already recorded are recognised). The file is kept (so a vendor can see what was imported) and is
/// included in erasure.
/// </summary>
public sealed class LeadImports(StorageAccount storage, IMessageSender messages, TimeProvider clock)
{
    public const string TableName = "LeadImports";
    public const string Container = "lead-imports";
    public static readonly LeadImportLimits Limits = new();

    private static readonly Dictionary<string, string[]> Headers = new()
    {
        ["email"] = ["email", "e-mail", "email address", "work email"],
        ["firstName"] = ["first name", "firstname", "given name"],
        ["lastName"] = ["last name", "lastname", "surname", "family name"],
        ["phone"] = ["phone", "phone number", "telephone"],
        ["company"] = ["company", "company name", "organisation", "organization", "account"],
        ["jobTitle"] = ["job title", "jobtitle", "title"],
        ["country"] = ["country", "country code"],
        ["region"] = ["region", "state", "province"],
        ["postalCode"] = ["postal code", "postalcode", "postcode", "zip", "zip code"],
        ["companySize"] = ["company size", "companysize", "employees"],
        ["productInterest"] = ["product interest", "productinterest", "product"],
        ["consentText"] = ["consent text", "consenttext", "consent"],
        ["sourcePage"] = ["source page", "sourcepage", "page"],
        ["ipAddress"] = ["ip address", "ipaddress", "ip"],
    };

    /// <summary>The column a vendor sees in the file for a field.</summary>
    private static string ColumnOf(string field) => char.ToUpperInvariant(Headers[field][0][0]) + Headers[field][0][1..];

    public static string ImportId(string vendorId, byte[] file) =>
        "imp-" + Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(vendorId + "\n"), .. file]))[..24];

    /// <summary>Reads the rows; one bad row never stops the good ones. <paramref name="defaultConsent"/> applies to rows without their own.</summary>
    public static (LeadImportFile? File, string? Error) Read(string vendorId, string importId, byte[] file, string? defaultConsent, DateTimeOffset now, LeadImportLimits limits)
    {
        var (table, error) = CsvUpload.ReadTable(new MemoryStream(file), limits.MaxBytes, maxFieldSize: 10_000, limits.MaxRows, "leads");
        if (table is null) return (null, error);
        var columns = Headers.ToDictionary(h => h.Key, h => table.Column(h.Value, c => c.Replace('_', ' ')));
        var missing = new[] { "email", "firstName", "lastName", "country" }.Where(f => columns[f] < 0).Select(ColumnOf).ToList();
        if (columns["consentText"] < 0 && string.IsNullOrWhiteSpace(defaultConsent)) missing.Add("Consent text (or give the consent text for the whole file)");
        if (missing.Count > 0) return (null, $"the first row must name the columns; missing: {string.Join(", ", missing)}");

        var submissions = new List<LeadSubmission>();
        var rejected = new List<RejectedLeadRow>();
        foreach (var line in table.Rows)
        {
            var row = line.Line;
            string? F(string field) => line[columns[field]];
            var submission = new LeadSubmission
            {
                SubmissionId = $"{importId}-r{row}",
                VendorId = vendorId,
                Source = new LeadSource.CsvImport(importId, row),
                ReceivedAt = now,
                Email = F("email"), FirstName = F("firstName"), LastName = F("lastName"), Phone = F("phone"), Company = F("company"),
                JobTitle = F("jobTitle"), Country = F("country"), Region = F("region"), PostalCode = F("postalCode"),
                CompanySize = F("companySize"), ProductInterest = F("productInterest"),
                ConsentText = string.IsNullOrWhiteSpace(F("consentText")) ? defaultConsent : F("consentText"),
                SourcePage = F("sourcePage"), IpAddress = F("ipAddress"),
            };
            switch (SubmissionValidation.Check(submission))
            {
                case SubmissionCheck.Valid:
                    submissions.Add(submission);
                    break;
                case SubmissionCheck.Invalid invalid:
                    rejected.Add(new RejectedLeadRow(row, [.. invalid.Errors.Select(e => $"{ColumnOf(e.Field)}: {e.Message}")]));
                    break;
            }
        }
        return (new LeadImportFile(submissions, rejected), null);
    }

    private sealed class Row : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }
        /// <summary>Queuing until every row is on the queue; then Queued, and the same file imports nothing new.</summary>
        public string Status { get; set; } = "Queuing";
        public string FileName { get; set; } = "";
        public string ImportedBy { get; set; } = "";
        public DateTimeOffset ImportedAt { get; set; }
        public int Queued { get; set; }
        public int Rejected { get; set; }
    }

    public async Task<LeadImportOutcome> ImportAsync(string vendorId, Stream csv, string fileName, string? defaultConsent, string by, CancellationToken ct)
    {
        using var buffered = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await csv.ReadAsync(buffer, ct)) > 0)
        {
            if (buffered.Length + read > Limits.MaxBytes) return new LeadImportOutcome.Refused(StatusCodes.Status413PayloadTooLarge, TooLarge);
            buffered.Write(buffer, 0, read);
        }
        var bytes = buffered.ToArray();
        if (defaultConsent is { Length: > 4000 }) return new LeadImportOutcome.Refused(StatusCodes.Status400BadRequest, "the consent text is longer than 4,000 characters");
        var importId = ImportId(vendorId, bytes);
        var now = clock.GetUtcNow();
        var (file, error) = Read(vendorId, importId, bytes, defaultConsent?.Trim(), now, Limits);
        if (file is null) return new LeadImportOutcome.Refused(StatusCodes.Status400BadRequest, error!);

        var table = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var existing = await table.GetEntityIfExistsAsync<Row>(partition, importId, cancellationToken: ct);
        if (existing.HasValue && existing.Value!.Status == "Queued")
            return new LeadImportOutcome.Imported(new LeadImportView(importId, true, 0, file.Submissions.Count + file.Rejected.Count, file.Rejected));

        // The file first, so an erasure that runs after a lead from it exists always finds the file to clean.
        var container = await storage.ContainerAsync(Container, ct);
        await container.GetBlobClient(BlobName(vendorId, importId)).UploadAsync(BinaryData.FromBytes(bytes), overwrite: true, ct);
        var state = new Row
        {
            PartitionKey = partition, RowKey = importId, FileName = Path.GetFileName(fileName).Length > 200 ? Path.GetFileName(fileName)[..200] : Path.GetFileName(fileName),
            ImportedBy = by, ImportedAt = now, Rejected = file.Rejected.Count,
        };
        if (!existing.HasValue)
        {
            try { await table.AddEntityAsync(state, ct); }
            catch (RequestFailedException e) when (e.Status == 409) { } // another import of the same file: both queue the same ids
        }
        await Parallel.ForEachAsync(file.Submissions, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (s, token) =>
            await messages.SendAsync(LeadEndpoints.CapturedQueue, s, cancellationToken: token));
        await table.UpdateAsync<Row>(partition, importId, current => current is null or { Status: "Queued" } ? null : new Row
        {
            Status = "Queued", FileName = current.FileName, ImportedBy = current.ImportedBy, ImportedAt = current.ImportedAt,
            Queued = file.Submissions.Count, Rejected = file.Rejected.Count,
        }, cancellationToken: ct);
        return new LeadImportOutcome.Imported(new LeadImportView(importId, false, file.Submissions.Count, file.Submissions.Count + file.Rejected.Count, file.Rejected));
    }

    public static string BlobName(string vendorId, string importId) => $"{TableKeys.Check(vendorId, "vendor id")}/{importId}.csv";

    private static string TooLarge => $"the file is larger than {Limits.MaxBytes / (1024 * 1024)} MiB; split it into smaller files";
}
