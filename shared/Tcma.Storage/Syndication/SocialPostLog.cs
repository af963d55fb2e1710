using Azure;
using Azure.Data.Tables;
using Tcma.Domain;

namespace Tcma.Storage.Syndication;

/// <summary>Where a social post stands. <see cref="Retrying"/> is the only state that is not final.</summary>
public enum SocialPostStatus { Retrying, Published, Stopped, Reconnect, Rejected, Failed }

/// <summary>One social post of a launch (a touch on one network) as recorded by the publisher.</summary>
public sealed record SocialPostRecord(
    string PostId, string PartnerId, string TouchId, SocialNetwork Network, SocialPostStatus Status, int Attempts,
    bool InFlight, DateTimeOffset? FirstAttemptAt, DateTimeOffset? AttemptStartedAt, DateTimeOffset? NextAttemptAt,
    string? NetworkPostId, string? Url, bool AlreadyExisted, string? Reason, DateTimeOffset UpdatedAt)
{
    public bool IsFinal => Status != SocialPostStatus.Retrying;
}

/// <summary>For the launch status page: how many posts are in each state, and each post.</summary>
public sealed record SocialPostSummary(IReadOnlyDictionary<SocialPostStatus, int> Counts, IReadOnlyList<SocialPostRecord> Posts)
{
    public int Count(SocialPostStatus status) => Counts.TryGetValue(status, out var n) ? n : 0;
}

/// <summary>What <see cref="SocialPostLog.BeginAttemptAsync"/> found.</summary>
public abstract record SocialAttempt
{
    private SocialAttempt() { }

    /// <summary>The post already has its outcome: a duplicate or late message, nothing to do.</summary>
    public sealed record AlreadyFinal(SocialPostRecord Post) : SocialAttempt;

    /// <summary>Another delivery of the same post is calling the network right now: come back after <paramref name="RetryIn"/>.</summary>
    public sealed record Busy(TimeSpan RetryIn) : SocialAttempt;

    /// <summary>
    /// This caller owns attempt <paramref name="Number"/>. <paramref name="PreviousAttemptAt"/> is set when an earlier
    /// attempt may have reached the network, so the connector looks for that post before posting again.
    /// </summary>
    public sealed record Began(int Number, DateTimeOffset? PreviousAttemptAt) : SocialAttempt;
}

/// <summary>
/// <c>SocialPosts</c>: partition = "vendor|launch", row = post id, so a launch's posts are one partition query.
/// The attempt start is written before the network is called and the outcome after, each under the row's ETag:
/// a crash in between leaves the attempt on record, and the next delivery passes it on as PreviousAttemptAt.
/// </summary>
public sealed class SocialPostLog(StorageAccount storage)
{
    public const string TableName = "SocialPosts";

    public sealed class Row : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }
        public string PostId { get; set; } = "";
        public string PartnerId { get; set; } = "";
        public string TouchId { get; set; } = "";
        public string Network { get; set; } = "";
        public string Status { get; set; } = nameof(SocialPostStatus.Retrying);
        public int Attempts { get; set; }
        public bool InFlight { get; set; }
        public DateTimeOffset? FirstAttemptAt { get; set; }
        public DateTimeOffset? AttemptStartedAt { get; set; }
        public DateTimeOffset? NextAttemptAt { get; set; }
        public string? NetworkPostId { get; set; }
        public string? Url { get; set; }
        public bool AlreadyExisted { get; set; }
        public string? Reason { get; set; }
        public DateTimeOffset UpdatedAt { get; set; }

        internal SocialPostRecord ToRecord() => new(
            PostId, PartnerId, TouchId, Enum.Parse<SocialNetwork>(Network), Enum.Parse<SocialPostStatus>(Status), Attempts, InFlight,
            FirstAttemptAt, AttemptStartedAt, NextAttemptAt, NetworkPostId, Url, AlreadyExisted, Reason, UpdatedAt);

        internal Row Copy() => (Row)MemberwiseClone();
    }

    public static string PartitionFor(string vendorId, string launchId) =>
        $"{TableKeys.Check(vendorId, "vendor id")}|{TableKeys.Safe(launchId)}";

    public async Task<SocialPostRecord?> GetAsync(string vendorId, string launchId, string postId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<Row>(PartitionFor(vendorId, launchId), TableKeys.Safe(postId), cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.ToRecord() : null;
    }

    /// <summary>
    /// Records "attempt started now" before the network is called. An attempt still in flight and younger than
    /// <paramref name="lease"/> belongs to another delivery; an older one is taken to have crashed.
    /// </summary>
    public async Task<SocialAttempt> BeginAttemptAsync(
        string vendorId, string launchId, string postId, string partnerId, string touchId, SocialNetwork network,
        DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        SocialAttempt attempt = null!;
        var table = await storage.TableAsync(TableName, cancellationToken);
        await table.UpdateAsync<Row>(PartitionFor(vendorId, launchId), TableKeys.Safe(postId), current =>
        {
            if (current is not null && current.ToRecord() is { IsFinal: true } final)
            {
                attempt = new SocialAttempt.AlreadyFinal(final);
                return null;
            }
            if (current is { InFlight: true, AttemptStartedAt: { } started } && started + lease > now)
            {
                attempt = new SocialAttempt.Busy(started + lease - now);
                return null;
            }
            var next = current?.Copy() ?? new Row { PostId = postId, PartnerId = partnerId, TouchId = touchId, Network = network.ToString() };
            attempt = new SocialAttempt.Began(next.Attempts + 1, next.Attempts > 0 ? next.FirstAttemptAt : null);
            next.Attempts++;
            next.InFlight = true;
            next.FirstAttemptAt ??= now;
            next.AttemptStartedAt = now;
            next.UpdatedAt = now;
            return next;
        }, cancellationToken: cancellationToken);
        return attempt;
    }

    /// <summary>
    /// Records an outcome. A final outcome is never replaced: a second one (say, a stopped launch seen by a late
    /// duplicate) is dropped and the first is returned.
    /// </summary>
    public async Task<SocialPostRecord> RecordAsync(
        string vendorId, string launchId, string postId, string partnerId, string touchId, SocialNetwork network,
        SocialPostStatus status, DateTimeOffset now, string? reason = null, string? networkPostId = null, Uri? url = null,
        bool alreadyExisted = false, DateTimeOffset? nextAttemptAt = null, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var result = await table.UpdateAsync<Row>(PartitionFor(vendorId, launchId), TableKeys.Safe(postId), current =>
        {
            if (current is not null && current.ToRecord().IsFinal) return null;
            var next = current?.Copy() ?? new Row { PostId = postId, PartnerId = partnerId, TouchId = touchId, Network = network.ToString() };
            next.Status = status.ToString();
            next.InFlight = false;
            next.Reason = reason is { Length: > 1000 } ? reason[..1000] + "…" : reason;
            next.NetworkPostId = networkPostId;
            next.Url = url?.ToString();
            next.AlreadyExisted = alreadyExisted;
            next.NextAttemptAt = nextAttemptAt;
            next.UpdatedAt = now;
            return next;
        }, cancellationToken: cancellationToken);
        return result.Entity!.ToRecord();
    }

    public async Task<SocialPostSummary> SummariseAsync(string vendorId, string launchId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var partition = PartitionFor(vendorId, launchId);
        var posts = new List<SocialPostRecord>();
        await foreach (var row in table.QueryAsync<Row>(r => r.PartitionKey == partition, cancellationToken: cancellationToken))
            posts.Add(row.ToRecord());
        var counts = posts.GroupBy(p => p.Status).ToDictionary(g => g.Key, g => g.Count());
        return new SocialPostSummary(counts, posts.OrderBy(p => p.TouchId, StringComparer.Ordinal).ThenBy(p => p.Network).ToList());
    }
}
