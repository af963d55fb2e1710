using Azure;
using Azure.Data.Tables;
using Tcma.Domain;

namespace Tcma.Storage.Syndication;

/// <summary>
/// A partner's connected social account as stored: tokens only in their protected (encrypted) form. A pending
/// reconnect is <see cref="ReconnectReason"/>; <see cref="ReconnectNoticeKey"/> names the one email that tells the
/// partner, and <see cref="ReconnectEmailedAt"/> says it went out.
/// </summary>
public sealed record StoredSocialAccount(
    string VendorId, string PartnerId, SocialNetwork Network, string AccountId, string DisplayName,
    string ProtectedToken, string? ProtectedRefreshToken, DateTimeOffset? ExpiresAt, IReadOnlyList<string> Scopes,
    DateTimeOffset ConnectedAt, DateTimeOffset? CheckedAt,
    string? ReconnectReason, string? ReconnectNoticeKey, DateTimeOffset? ReconnectEmailedAt)
{
    public bool NeedsReconnect => ReconnectReason is not null;
}

/// <summary>What a finished OAuth flow hands over to be stored; tokens already protected by the caller.</summary>
public sealed record SocialAccountConnection(
    SocialNetwork Network, string AccountId, string DisplayName, string ProtectedToken, string? ProtectedRefreshToken,
    DateTimeOffset? ExpiresAt, IReadOnlyList<string> Scopes);

/// <summary>
/// <c>SocialAccounts</c>: partition = vendor, row = "partner|network", so one partner's accounts are one range
/// query and a partner has at most one account per network. Every change goes through the row's ETag.
/// </summary>
public sealed class SocialAccountStore(StorageAccount storage)
{
    public const string TableName = "SocialAccounts";

    public sealed class Row : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }
        public string PartnerId { get; set; } = "";
        public string Network { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string ProtectedToken { get; set; } = "";
        public string? ProtectedRefreshToken { get; set; }
        public DateTimeOffset? ExpiresAt { get; set; }
        public string Scopes { get; set; } = "";
        public DateTimeOffset ConnectedAt { get; set; }
        public DateTimeOffset? CheckedAt { get; set; }
        public string? ReconnectReason { get; set; }
        public string? ReconnectNoticeKey { get; set; }
        public DateTimeOffset? ReconnectNoticeClaimedAt { get; set; }
        public DateTimeOffset? ReconnectEmailedAt { get; set; }

        internal StoredSocialAccount ToAccount() => new(
            PartitionKey, PartnerId, Enum.Parse<SocialNetwork>(Network), AccountId, DisplayName, ProtectedToken, ProtectedRefreshToken,
            ExpiresAt, Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), ConnectedAt, CheckedAt,
            ReconnectReason, ReconnectNoticeKey, ReconnectEmailedAt);

        internal Row Copy() => (Row)MemberwiseClone();
    }

    public static string RowKeyFor(string partnerId, SocialNetwork network) => $"{TableKeys.Check(partnerId, "partner id")}|{network}";

    public async Task<IReadOnlyList<StoredSocialAccount>> ListAsync(string vendorId, string partnerId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var from = $"{TableKeys.Check(partnerId, "partner id")}|";
        // '}' sorts right after '|', so the range holds exactly this partner's rows.
        var to = $"{partnerId}}}";
        var accounts = new List<StoredSocialAccount>();
        await foreach (var row in table.QueryAsync<Row>(r => r.PartitionKey == TableKeys.Check(vendorId, "vendor id")
            && r.RowKey.CompareTo(from) >= 0 && r.RowKey.CompareTo(to) < 0, cancellationToken: cancellationToken))
            accounts.Add(row.ToAccount());
        return accounts.OrderBy(a => a.Network).ToList();
    }

    public async Task<StoredSocialAccount?> GetAsync(string vendorId, string partnerId, SocialNetwork network, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<Row>(TableKeys.Check(vendorId, "vendor id"), RowKeyFor(partnerId, network), cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.ToAccount() : null;
    }

    /// <summary>Every stored account, one vendor after another; for the ahead-of-time token check.</summary>
    public async IAsyncEnumerable<StoredSocialAccount> AllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        await foreach (var row in table.QueryAsync<Row>(cancellationToken: cancellationToken))
            yield return row.ToAccount();
    }

    /// <summary>Stores a fresh connection. Reconnecting clears a pending reconnect, so a later failure emails again.</summary>
    public async Task<StoredSocialAccount> ConnectAsync(string vendorId, string partnerId, SocialAccountConnection connection, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var result = await table.UpdateAsync<Row>(TableKeys.Check(vendorId, "vendor id"), RowKeyFor(partnerId, connection.Network), _ => new Row
        {
            PartnerId = partnerId,
            Network = connection.Network.ToString(),
            AccountId = connection.AccountId,
            DisplayName = connection.DisplayName,
            ProtectedToken = connection.ProtectedToken,
            ProtectedRefreshToken = connection.ProtectedRefreshToken,
            ExpiresAt = connection.ExpiresAt,
            Scopes = string.Join(' ', connection.Scopes),
            ConnectedAt = now,
        }, cancellationToken: cancellationToken);
        return result.Entity!.ToAccount();
    }

    /// <summary>True when there was an account to remove. Posts due later for this network stop with a reconnect outcome.</summary>
    public async Task<bool> DisconnectAsync(string vendorId, string partnerId, SocialNetwork network, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        try
        {
            await table.DeleteEntityAsync(TableKeys.Check(vendorId, "vendor id"), RowKeyFor(partnerId, network), ETag.All, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <summary>New tokens after a refresh, for the same connection (a reconnect in between wins).</summary>
    public Task<StoredSocialAccount?> RefreshedAsync(StoredSocialAccount seen, string protectedToken, string? protectedRefreshToken, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default) =>
        ChangeAsync(seen, row =>
        {
            row.ProtectedToken = protectedToken;
            row.ProtectedRefreshToken = protectedRefreshToken ?? row.ProtectedRefreshToken;
            row.ExpiresAt = expiresAt;
        }, cancellationToken);

    public Task<StoredSocialAccount?> CheckedAsync(StoredSocialAccount seen, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ChangeAsync(seen, row => row.CheckedAt = now, cancellationToken);

    /// <summary>
    /// Marks the connection as needing a reconnect and claims the one email about it. Returns the notice key when this
    /// caller must send that email (first to find the problem, or a claim older than <paramref name="staleClaim"/>
    /// that never got its email out), otherwise null: the partner hears once per broken connection, not once per
    /// check or per post.
    /// </summary>
    public async Task<string?> ClaimReconnectNoticeAsync(StoredSocialAccount seen, string reason, DateTimeOffset now, TimeSpan staleClaim, CancellationToken cancellationToken = default)
    {
        string? key = null;
        var table = await storage.TableAsync(TableName, cancellationToken);
        await table.UpdateAsync<Row>(seen.VendorId, RowKeyFor(seen.PartnerId, seen.Network), current =>
        {
            key = null;
            if (current is null || current.ConnectedAt != seen.ConnectedAt || current.ReconnectEmailedAt is not null) return null;
            if (current.ReconnectNoticeKey is not null && current.ReconnectNoticeClaimedAt > now - staleClaim) return null;
            var next = current.Copy();
            next.ReconnectReason ??= reason;
            next.ReconnectNoticeKey ??= $"reconnect:{seen.VendorId}:{seen.PartnerId}:{seen.Network}:{current.ConnectedAt.ToUnixTimeMilliseconds()}";
            next.ReconnectNoticeClaimedAt = now;
            key = next.ReconnectNoticeKey;
            return next;
        }, cancellationToken: cancellationToken);
        return key;
    }

    public Task<StoredSocialAccount?> ReconnectEmailedAsync(StoredSocialAccount seen, string noticeKey, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ChangeAsync(seen, row =>
        {
            if (row.ReconnectNoticeKey == noticeKey) row.ReconnectEmailedAt = now;
        }, cancellationToken);

    /// <summary>Applies <paramref name="change"/> to the row if it is still the connection that was read; null when it is gone or replaced.</summary>
    private async Task<StoredSocialAccount?> ChangeAsync(StoredSocialAccount seen, Action<Row> change, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var result = await table.UpdateAsync<Row>(seen.VendorId, RowKeyFor(seen.PartnerId, seen.Network), current =>
        {
            if (current is null || current.ConnectedAt != seen.ConnectedAt) return null;
            var next = current.Copy();
            change(next);
            return next;
        }, cancellationToken: cancellationToken);
        return result.Written ? result.Entity!.ToAccount() : null;
    }
}
