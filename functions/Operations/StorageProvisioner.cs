using Azure;
using Tcma.Storage;

namespace Tcma.Functions.Operations;

/// <summary>
/// Makes sure the app's tables, queues and containers exist. Storage being down must not stop the app
/// from starting (the Functions host gives a custom handler 30 s, and /health must be able to say what is
/// wrong), so one bounded attempt runs at start-up and, if it fails, attempts continue in the background
/// with back-off until storage answers.
/// </summary>
internal sealed class StorageProvisioner(StorageAccount storage, TimeProvider time, ILogger<StorageProvisioner> logger) : IHostedService
{
    internal static readonly TimeSpan StartupAttemptTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    // Not disposed: the host may stop this service after the container disposed it, and a CTS without timers holds nothing.
    private readonly CancellationTokenSource stopping = new();
    private Task retrying = Task.CompletedTask;

    /// <summary>True once every resource is known to exist.</summary>
    public bool Provisioned { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);
        startup.CancelAfter(StartupAttemptTimeout);
        var failure = await TryProvisionAsync(startup.Token);
        if (failure is null) return;
        LogRetry(failure, FirstRetryDelay);
        retrying = Task.Run(() => RetryAsync(FirstRetryDelay, stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await retrying.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RetryAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(AttemptTimeout);
            var failure = await TryProvisionAsync(attempt.Token);
            if (failure is null)
            {
                logger.LogInformation("Storage reachable again at {Endpoint}: tables, queues and containers are in place", storage.Tables.Uri);
                return;
            }
            if (cancellationToken.IsCancellationRequested) return;
            delay = delay * 2 > MaxRetryDelay ? MaxRetryDelay : delay * 2;
            LogRetry(failure, delay);
        }
    }

    /// <returns>null when everything exists, else what failed.</returns>
    private async Task<StorageFailure?> TryProvisionAsync(CancellationToken cancellationToken)
    {
        // Two dozen create-if-missing calls per attempt are housekeeping, not traces anyone reads; a
        // failure is logged instead.
        using var quiet = OpenTelemetry.SuppressInstrumentationScope.Begin();
        var work = StorageResources.Tables.Select(t => Step(storage.Tables.Uri, () => storage.Tables.CreateTableIfNotExistsAsync(storage.Names.Table(t), cancellationToken)))
            .Concat(StorageResources.QueuesWithPoison.Select(q => Step(storage.Queues.Uri, () => storage.Queue(q).CreateIfNotExistsAsync(cancellationToken: cancellationToken))))
            .Concat(StorageResources.Containers.Select(c => Step(storage.Blobs.Uri, () => storage.Container(c).CreateIfNotExistsAsync(cancellationToken: cancellationToken))))
            .ToList();
        var failures = await Task.WhenAll(work);
        var failure = failures.FirstOrDefault(f => f is not null);
        Provisioned = failure is null;
        return failure;
    }

    private static async Task<StorageFailure?> Step(Uri endpoint, Func<Task> create)
    {
        try
        {
            await create();
            return null;
        }
        catch (Exception ex)
        {
            return new StorageFailure(endpoint, StorageFailure.Describe(ex), ex is RequestFailedException { Status: > 0 });
        }
    }

    private void LogRetry(StorageFailure failure, TimeSpan delay)
    {
        if (failure.Answered)
            logger.LogWarning("Storage at {Endpoint} refused to create the app's resources ({Reason}): retrying in {RetryDelay}", failure.Endpoint, failure.Reason, delay);
        else
            logger.LogWarning("Storage unreachable at {Endpoint}: retrying in {RetryDelay} ({Reason})", failure.Endpoint, delay, failure.Reason);
    }
}

/// <summary>What went wrong talking to one storage endpoint, short enough for a log line or a health report.</summary>
internal sealed record StorageFailure(Uri Endpoint, string Reason, bool Answered)
{
    public static string Describe(Exception ex) => ex switch
    {
        RequestFailedException { Status: > 0 } rf => $"{rf.Status} {rf.ErrorCode}".Trim(),
        OperationCanceledException => "no answer in time",
        AggregateException { InnerExceptions.Count: > 0 } agg => Describe(agg.InnerExceptions[^1]),
        _ when ex.InnerException is not null => Describe(ex.InnerException),
        _ => ex.Message.Split('\n', 2)[0].Trim(),
    };
}
