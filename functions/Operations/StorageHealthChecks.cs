using Azure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tcma.Storage;

namespace Tcma.Functions.Operations;

/// <summary>
/// One cheap call per storage service, on a resource the app cannot work without: it proves the endpoint
/// answers, the identity is allowed in, and start-up provisioning has put the resource there.
/// </summary>
internal abstract class StorageHealthCheck(Uri endpoint) : IHealthCheck
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["endpoint"] = endpoint.ToString() };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var missing = await FindMissingAsync(timeout.Token);
            return missing is null
                ? HealthCheckResult.Healthy($"{endpoint} answered", data)
                : HealthCheckResult.Unhealthy($"{endpoint} answered but {missing} does not exist (yet)", data: data);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"storage unreachable at {endpoint}: no answer within {Timeout.TotalSeconds:0} s", data: data);
        }
        catch (RequestFailedException ex) when (ex.Status > 0)
        {
            return HealthCheckResult.Unhealthy($"storage at {endpoint} answered {StorageFailure.Describe(ex)}", data: data);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"storage unreachable at {endpoint}: {StorageFailure.Describe(ex)}", data: data);
        }
    }

    /// <returns>null when the probed resource exists, else a description of the missing one.</returns>
    protected abstract Task<string?> FindMissingAsync(CancellationToken cancellationToken);
}

internal sealed class TableStorageHealthCheck(StorageAccount storage) : StorageHealthCheck(storage.Tables.Uri)
{
    protected override async Task<string?> FindMissingAsync(CancellationToken cancellationToken)
    {
        var name = storage.Names.Table(StorageResources.Tables[0]);
        await foreach (var table in storage.Tables.QueryAsync(t => t.Name == name, maxPerPage: 1, cancellationToken))
            return null;
        return $"table {name}";
    }
}

internal sealed class QueueStorageHealthCheck(StorageAccount storage) : StorageHealthCheck(storage.Queues.Uri)
{
    protected override async Task<string?> FindMissingAsync(CancellationToken cancellationToken)
    {
        var queue = storage.Queue(StorageResources.Queues[0]);
        try
        {
            await queue.GetPropertiesAsync(cancellationToken);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return $"queue {queue.Name}";
        }
    }
}

internal sealed class BlobStorageHealthCheck(StorageAccount storage) : StorageHealthCheck(storage.Blobs.Uri)
{
    protected override async Task<string?> FindMissingAsync(CancellationToken cancellationToken)
    {
        var container = storage.Container(StorageResources.Containers[0]);
        return (await container.ExistsAsync(cancellationToken)).Value ? null : $"container {container.Name}";
    }
}
