using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Identity;

namespace Tcma.Storage.Identity;

/// <summary>A vendor's API key as stored: one row per key in the vendor's partition (PartitionKey = vendor, RowKey = key id).</summary>
public sealed record ApiKeyRecord(string VendorId, string KeyId, string Name, IReadOnlyList<VendorRole> Roles, string Hash,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, string? RevokedBy)
{
    public bool IsRevoked => RevokedAt is not null;
}

public sealed class ApiKeyStore(StorageAccount storage)
{
    public const string TableName = "ApiKeys";

    private TableClient Table => storage.Table(TableName);

    /// <summary>Inserts a new key; the key id is random, so a 409 means a collision the caller may retry with a new key.</summary>
    public Task AddAsync(ApiKeyRecord key, CancellationToken ct = default) =>
        Tables.WithTableAsync(Table, t => t.AddEntityAsync(ToEntity(key), ct));

    public async Task<ApiKeyRecord?> FindAsync(string vendorId, string keyId, CancellationToken ct = default)
    {
        var (record, _) = await FindWithETagAsync(vendorId, keyId, ct);
        return record;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string vendorId, CancellationToken ct = default)
    {
        var result = new List<ApiKeyRecord>();
        try
        {
            await foreach (var e in Table.QueryAsync<TableEntity>(e => e.PartitionKey == vendorId, cancellationToken: ct))
                result.Add(FromEntity(e));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
        return result.OrderBy(k => k.CreatedAt).ToList();
    }

    /// <summary>Revokes a key: false when the vendor has no such key. Revoking twice keeps the first revocation.</summary>
    public async Task<bool> RevokeAsync(string vendorId, string keyId, string revokedBy, DateTimeOffset now, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (record, etag) = await FindWithETagAsync(vendorId, keyId, ct);
            if (record is null) return false;
            if (record.IsRevoked) return true;
            try
            {
                await Table.UpdateEntityAsync(ToEntity(record with { RevokedAt = now, RevokedBy = revokedBy }), etag, TableUpdateMode.Replace, ct);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
            }
        }
    }

    private async Task<(ApiKeyRecord?, ETag)> FindWithETagAsync(string vendorId, string keyId, CancellationToken ct)
    {
        try
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(vendorId, keyId, cancellationToken: ct);
            return response.HasValue ? (FromEntity(response.Value!), response.Value!.ETag) : (null, default);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (null, default);
        }
    }

    private static TableEntity ToEntity(ApiKeyRecord k) => new(k.VendorId, k.KeyId)
    {
        ["Name"] = k.Name,
        ["Roles"] = string.Join(',', k.Roles),
        ["Hash"] = k.Hash,
        ["CreatedAt"] = k.CreatedAt,
        ["CreatedBy"] = k.CreatedBy,
        ["RevokedAt"] = k.RevokedAt,
        ["RevokedBy"] = k.RevokedBy,
    };

    private static ApiKeyRecord FromEntity(TableEntity e) => new(
        e.PartitionKey, e.RowKey, e.GetString("Name") ?? "", Roles.Parse(e.GetString("Roles")), e.GetString("Hash") ?? "",
        e.GetDateTimeOffset("CreatedAt") ?? default, e.GetString("CreatedBy") ?? "", e.GetDateTimeOffset("RevokedAt"), e.GetString("RevokedBy"));
}

/// <summary>
/// Which vendors an Entra user belongs to and with which roles: PartitionKey = the user's object id (the one lookup
/// made at every sign-in is a single-partition query), RowKey = vendor id.
/// </summary>
public sealed record VendorUserRecord(string UserObjectId, string VendorId, string Email, IReadOnlyList<VendorRole> Roles);

public sealed class VendorUserStore(StorageAccount storage)
{
    public const string TableName = "VendorUsers";

    private TableClient Table => storage.Table(TableName);

    /// <summary>Adds or replaces a membership. Memberships are written by vendor admins and provisioning, not concurrently.</summary>
    public Task UpsertAsync(VendorUserRecord user, CancellationToken ct = default) =>
        Tables.WithTableAsync(Table, t => t.UpsertEntityAsync(new TableEntity(user.UserObjectId, user.VendorId)
        {
            ["Email"] = user.Email,
            ["Roles"] = string.Join(',', user.Roles),
        }, TableUpdateMode.Replace, ct));

    public async Task<IReadOnlyList<VendorUserRecord>> MembershipsAsync(string userObjectId, CancellationToken ct = default)
    {
        var result = new List<VendorUserRecord>();
        try
        {
            await foreach (var e in Table.QueryAsync<TableEntity>(e => e.PartitionKey == userObjectId, maxPerPage: 100, cancellationToken: ct))
                result.Add(new VendorUserRecord(e.PartitionKey, e.RowKey, e.GetString("Email") ?? "", Roles.Parse(e.GetString("Roles"))));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
        return result;
    }
}

/// <summary>
/// Single-use links: using one inserts a row keyed by the token's nonce. Insert is atomic in Table storage, so of two
/// clicks racing, exactly one wins; the other gets 409 and is told the link was already used.
/// </summary>
public sealed class TokenUseStore(StorageAccount storage)
{
    public const string TableName = "TokenUses";

    private TableClient Table => storage.Table(TableName);

    /// <summary>True when this call used the token; false when it had been used before.</summary>
    public async Task<bool> TryConsumeAsync(SignedToken token, DateTimeOffset now, CancellationToken ct = default)
    {
        try
        {
            await Tables.WithTableAsync(Table, t => t.AddEntityAsync(new TableEntity(token.Nonce, token.Purpose)
            {
                ["Subject"] = token.Subject,
                ["VendorId"] = token.VendorId,
                ["UsedAt"] = now,
                ["ExpiresAt"] = token.ExpiresAt,
            }, ct));
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }
}

internal static class Roles
{
    public static IReadOnlyList<VendorRole> Parse(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => Enum.TryParse<VendorRole>(r, out var role) ? role : (VendorRole?)null).OfType<VendorRole>().Distinct().ToList();
}

internal static class Tables
{
    /// <summary>Runs a write, creating the table on first use (tables are created lazily so each test prefix gets its own).</summary>
    public static async Task WithTableAsync(TableClient table, Func<TableClient, Task> write)
    {
        try
        {
            await write(table);
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == "TableNotFound")
        {
            await table.CreateIfNotExistsAsync();
            await write(table);
        }
    }
}
