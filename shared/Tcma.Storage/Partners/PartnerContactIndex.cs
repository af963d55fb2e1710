using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Tcma.Storage.Partners;

/// <summary>A vendor's partner that lists a contact address (unverified until its partner row is read).</summary>
public sealed record PartnerMembership(string VendorId, string PartnerId);

/// <summary>
/// Which partners, of which vendors, list a contact email: the <c>PartnerContacts</c> table, partition = a hash of the
/// address (so one sign-in looks in one partition and no address is a key), row = <c>{vendor}|{partner}</c>. It is an
/// index, never the truth: a row may outlive its contact (readers check the partner row), and rows are written before
/// the partner row that needs them, so a contact is never missing while its partner lists it. A crash between the two
/// writes of a removal leaves a harmless extra row; <see cref="RepairAsync"/> puts back anything else that went astray.
/// </summary>
public sealed class PartnerContactIndex(StorageAccount storage)
{
    public const string TableName = "PartnerContacts";

    /// <summary>The address as people type it, case and spaces aside, hashed: what the index, tokens and rate limits key on.</summary>
    public static string EmailKey(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));

    private static string Row(string vendorId, string partnerId) => $"{TableKeys.Check(vendorId, "vendor id")}|{TableKeys.Check(partnerId, "partner id")}";

    public async Task AddAsync(string vendorId, string partnerId, IEnumerable<string> emails, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        foreach (var key in emails.Select(EmailKey).Distinct())
        {
            try
            {
                await table.AddEntityAsync(new TableEntity(key, Row(vendorId, partnerId)), ct);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
            }
        }
    }

    public async Task RemoveAsync(string vendorId, string partnerId, IEnumerable<string> emails, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        foreach (var key in emails.Select(EmailKey).Distinct())
        {
            try
            {
                await table.DeleteEntityAsync(key, Row(vendorId, partnerId), ETag.All, ct);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
            }
        }
    }

    /// <summary>Every partner that may list the address with this <see cref="EmailKey"/>; one partition read.</summary>
    public async Task<IReadOnlyList<PartnerMembership>> FindAsync(string emailKey, CancellationToken ct = default)
    {
        if (emailKey.Length != 64 || !emailKey.All(char.IsAsciiHexDigitLower)) return [];
        var table = await storage.TableAsync(TableName, ct);
        var found = new List<PartnerMembership>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {emailKey}"), select: ["RowKey"], cancellationToken: ct))
            if (row.RowKey.Split('|') is [var vendor, var partner]) found.Add(new PartnerMembership(vendor, partner));
        // A contact of many partners is a person, not a mailing list; a flood here is a bug, not a sign-in.
        return found.Take(50).ToList();
    }

    /// <summary>
    /// Puts back the row of every contact of every partner (a timer's safety net, and the first fill of partners stored
    /// before the index existed). Only adds: rows of removed contacts are harmless, readers check the partner.
    /// </summary>
    public async Task<int> RepairAsync(PartnerDirectory directory, CancellationToken ct = default)
    {
        var added = 0;
        await foreach (var (vendorId, partner) in directory.AllAsync(ct))
        {
            await AddAsync(vendorId, partner.Id, partner.Contacts.Select(c => c.Email), ct);
            added += partner.Contacts.Count;
        }
        return added;
    }
}
