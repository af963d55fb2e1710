using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tcma.Domain.Workflows;
using Tcma.Storage.Messaging;

namespace Tcma.Storage.Workflows;

/// <summary>
/// Runs workflow instances on Table storage. One partition per instance holds the state row (with its version),
/// an append-only history row per event, a dedupe row per event id and the outbox rows; each event commits all
/// of them in one batch guarded by the state row's ETag. Emails, queue messages and timer messages leave only
/// after the commit; a due-time index lets the sweeper finish whatever a crash interrupted.
/// </summary>
public sealed class WorkflowEngine(
    StorageAccount storage,
    WorkflowRegistry registry,
    IMessageSender messages,
    PayloadStore payloads,
    TimeProvider clock,
    IOptions<WorkflowOptions> options,
    ILogger<WorkflowEngine> logger,
    IWorkflowEmailSender? emailSender = null)
{
    public const string InstancesTable = "Workflows";
    public const string DueTable = "WorkflowDue";
    public const string TimerQueue = "workflow-timers";

    private const string StateRow = "state";
    /// <summary>Above this, an outbox payload goes to a blob: a table property holds 32K characters.</summary>
    private const int InlinePayloadChars = 16_000;

    private WorkflowOptions Options => options.Value;

    /// <summary>
    /// Starts an instance with its first event (a fund request submitted, a launch scheduled). Starting again with
    /// the same event id is a no-op; with another id it is an ordinary event for the running instance.
    /// </summary>
    public Task<WorkflowResult> StartAsync(string type, string instanceId, WorkflowEvent workflowEvent, CancellationToken cancellationToken = default)
        => ApplyAsync(type, instanceId, workflowEvent, create: true, cancellationToken);

    /// <summary>
    /// Delivers an event to a running instance: records it once (a repeated event id is a no-op), commits the
    /// transition's decision, then sends what it decided. An event for an instance that was never started (a
    /// forged or mistyped link) creates nothing and reports <see cref="WorkflowOutcome.UnknownInstance"/>.
    /// </summary>
    public Task<WorkflowResult> RaiseAsync(string type, string instanceId, WorkflowEvent workflowEvent, CancellationToken cancellationToken = default)
        => ApplyAsync(type, instanceId, workflowEvent, create: false, cancellationToken);

    private async Task<WorkflowResult> ApplyAsync(string type, string instanceId, WorkflowEvent workflowEvent, bool create, CancellationToken cancellationToken)
    {
        var commit = await CommitAsync(type, instanceId, workflowEvent, null, cancellationToken, create);
        if (commit.Outcome != WorkflowOutcome.Applied) return commit.Result(0, 0);
        var (sent, pending, armed) = await AfterCommitAsync(commit, cancellationToken);
        return commit.Result(sent, pending) with { Armed = armed };
    }

    /// <summary>Handles a message from the timer queue: fires the timer if it is due and current, re-arms it if early.</summary>
    public async Task<WorkflowResult> HandleTimerAsync(WorkflowTimerMessage message, CancellationToken cancellationToken = default)
    {
        var (result, instance) = await FireTimerAsync(message, cancellationToken);
        if (result.Outcome == WorkflowOutcome.TimerNotDue)
        {
            // The stored due time, not the message's: the instance is the authority on when its timer fires.
            var timer = instance!.Timers.Single(t => t.Name == message.Timer);
            var delay = await ArmQueueAsync(message.Type, message.InstanceId, timer, cancellationToken);
            logger.LogDebug("Timer {Timer} of {Type}/{Id} woke early; re-armed for {Delay}", message.Timer, message.Type, message.InstanceId, delay);
            return result with { Armed = [new ArmedTimer(timer.Name, timer.DueAt, delay)] };
        }
        return result;
    }

    /// <summary>
    /// The safety net, run every minute: fires timers whose queue message was lost or not yet sent, and sends
    /// outbox rows a crash left behind.
    /// </summary>
    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken = default)
    {
        var index = await storage.TableAsync(DueTable, cancellationToken);
        var now = clock.GetUtcNow();
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {Bucket(now)}");
        var rows = new List<TableEntity>();
        await foreach (var row in index.QueryAsync<TableEntity>(filter, maxPerPage: 100, cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count >= Options.SweepBatchSize) break;
        }
        int fired = 0, discarded = 0, sent = 0, pending = 0;
        // Instances in parallel, each instance's rows in order, so two rows never dispatch one outbox at once.
        var byInstance = rows.GroupBy(r => r.GetString("Instance") ?? "");
        await Parallel.ForEachAsync(byInstance, new ParallelOptions { MaxDegreeOfParallelism = Options.SweepParallelism, CancellationToken = cancellationToken }, async (group, _) =>
        {
            foreach (var row in group)
            {
                try
                {
                    if (row.GetString("Kind") == "timer")
                    {
                        var message = new WorkflowTimerMessage(row.GetString("Type"), row.GetString("InstanceId"), row.GetString("Timer"),
                            row.GetInt64("Token") ?? 0, row.GetDateTimeOffset("DueAt") ?? now);
                        var (result, _) = await FireTimerAsync(message, cancellationToken);
                        if (result.Outcome == WorkflowOutcome.Applied) Interlocked.Increment(ref fired);
                        else if (result.Outcome != WorkflowOutcome.TimerNotDue) Interlocked.Increment(ref discarded);
                    }
                    else
                    {
                        var pk = row.GetString("Instance");
                        var (s, p) = await DispatchPendingAsync(pk, cancellationToken);
                        Interlocked.Add(ref sent, s);
                        Interlocked.Add(ref pending, p);
                        if (p > 0) await RescheduleAsync(index, row, now + Options.RetryAfter, cancellationToken);
                        else await DeleteQuietlyAsync(index, row.PartitionKey, row.RowKey, cancellationToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One broken row must not stop the sweep, nor a pile of them starve the rest: it moves to a later
                    // bucket and is tried again then.
                    logger.LogError(e, "Sweeping {Row} failed; retrying after {RetryAfter}", row.RowKey, Options.RetryAfter);
                    await RescheduleAsync(index, row, now + Options.RetryAfter, cancellationToken);
                }
            }
        });
        if (rows.Count > 0)
            logger.LogInformation("Workflow sweep: {Fired} timers fired, {Discarded} stale, {Sent} outbox sent, {Pending} pending", fired, discarded, sent, pending);
        return new SweepResult(fired, discarded, sent, pending);
    }

    public async Task<WorkflowInstance?> GetAsync(string type, string instanceId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(InstancesTable, cancellationToken);
        return (await LoadAsync(table, type, instanceId, cancellationToken)).Instance;
    }

    /// <summary>The instance's audit trail, oldest first.</summary>
    public async Task<IReadOnlyList<WorkflowHistoryEntry>> HistoryAsync(string type, string instanceId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(InstancesTable, cancellationToken);
        var pk = PartitionKeyOf(type, instanceId);
        var entries = new List<WorkflowHistoryEntry>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {"h:"} and RowKey lt {"h;"}"), cancellationToken: cancellationToken))
            entries.Add(new WorkflowHistoryEntry(row.GetInt64("Version") ?? 0, row.GetString("EventId"), row.GetString("Event"), row.GetString("Actor"),
                row.GetString("Data"), row.GetDateTimeOffset("At") ?? default, row.GetString("Decided")));
        return entries;
    }

    // ---- commit ---------------------------------------------------------------------------------------------

    internal sealed record TimerRef(string Name, long Token);

    /// <param name="Armed">The timer to put on the queue (see <see cref="WorkflowInstance.TimerToQueue"/>); every timer set is in the due index.</param>
    internal sealed record Commit(WorkflowOutcome Outcome, WorkflowInstance? Instance, IReadOnlyList<WorkflowTimer> Armed, IReadOnlyList<TableEntity> Outbox, TableEntity? Hint)
    {
        public WorkflowResult Result(int sent, int pending) => new(Outcome, Instance?.Version ?? 0, [], sent, pending);
    }

    /// <summary>Decides and commits, without sending anything: what survives a crash right after the commit.</summary>
    internal async Task<Commit> CommitAsync(string type, string instanceId, WorkflowEvent workflowEvent, TimerRef? timer, CancellationToken cancellationToken, bool create = false)
    {
        var definition = registry.Get(type);
        var pk = PartitionKeyOf(type, instanceId);
        if (string.IsNullOrEmpty(workflowEvent.Id) || workflowEvent.Id.Length > 1024)
            throw new ArgumentException("a workflow event needs an id of 1-1024 characters");
        var table = await storage.TableAsync(InstancesTable, cancellationToken);
        var index = await storage.TableAsync(DueTable, cancellationToken);
        var dedupeKey = "e:" + TableKeys.Safe(workflowEvent.Id);
        for (var attempt = 1; ; attempt++)
        {
            // Both reads at once: the batch's ETag and the dedupe row's insert catch any commit in between.
            var loading = LoadAsync(table, type, instanceId, cancellationToken);
            var seen = table.GetEntityIfExistsAsync<TableEntity>(pk, dedupeKey, ["Version"], cancellationToken);
            var (instance, etag) = await loading;
            var duplicate = (await seen).HasValue;
            var now = clock.GetUtcNow();
            if (instance is null && !create) return new(WorkflowOutcome.UnknownInstance, null, [], [], null);
            if (timer is not null)
            {
                switch (instance!.CheckTimer(timer.Name, timer.Token, now))
                {
                    case TimerCheck.Stale: return new(WorkflowOutcome.StaleTimer, instance, [], [], null);
                    case TimerCheck.NotYetDue: return new(WorkflowOutcome.TimerNotDue, instance, [], [], null);
                }
            }
            if (instance is not null && duplicate)
                return new(WorkflowOutcome.Duplicate, instance, [], [], null);

            var current = instance ?? WorkflowInstance.New(type, instanceId);
            // An ended instance still records what reached it (finance reads the trail) but decides nothing.
            var step = current.Completed
                ? new WorkflowStep(current.StateJson ?? "null", [])
                : definition.Decide(current.StateJson, workflowEvent, now);
            var applied = current.Apply(step, timer?.Name);
            var next = applied.Instance;

            var batch = new TableBatch();
            var state = StateEntity(pk, next, instance is null ? now : null, now);
            if (instance is null) batch.Add(state); else batch.UpdateReplace(state, etag);
            batch.Add(new TableEntity(pk, $"h:{next.Version:D10}")
            {
                ["Version"] = next.Version,
                ["EventId"] = workflowEvent.Id,
                ["Event"] = workflowEvent.Name,
                ["Actor"] = workflowEvent.Actor,
                ["Data"] = workflowEvent.Data,
                ["At"] = now,
                ["Decided"] = Describe(step.Commands, applied.Outbox, current.Completed),
            });
            batch.Add(new TableEntity(pk, dedupeKey) { ["EventId"] = workflowEvent.Id, ["Version"] = next.Version });
            var outbox = new List<TableEntity>();
            foreach (var item in applied.Outbox)
            {
                var row = await OutboxEntityAsync(pk, item, now, cancellationToken);
                outbox.Add(row);
                batch.Add(row);
            }

            // Intent before the commit: if we crash right after it, these index rows lead the sweeper to the
            // timers and outbox rows it holds. If the commit loses its race they point at nothing and are dropped.
            var hint = outbox.Count > 0 ? HintRow(pk, next.Version, now + Options.OutboxGrace) : null;
            await Task.WhenAll(applied.Armed.Select(t => TimerIndexRow(pk, type, instanceId, t)).Append(hint).OfType<TableEntity>()
                .Select(row => index.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken)));

            try
            {
                await batch.SubmitAsync(table, cancellationToken);
                var toQueue = WorkflowInstance.TimerToQueue(current, next);
                return new(WorkflowOutcome.Applied, next, toQueue is null ? [] : [toQueue], outbox, hint);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Someone committed this instance first: reload and decide again on what is really there.
                if (attempt >= Options.MaxAttempts)
                    throw new ConcurrencyConflictException($"workflow {pk} kept changing under us: gave up after {attempt} attempts", e);
                await OptimisticConcurrency.BackoffAsync(attempt, cancellationToken);
            }
        }
    }

    /// <summary>Sends what a commit decided: timer messages (best effort, the index covers them), then the outbox.</summary>
    internal async Task<(int Sent, int Pending, IReadOnlyList<ArmedTimer> Armed)> AfterCommitAsync(Commit commit, CancellationToken cancellationToken)
    {
        var instance = commit.Instance!;
        var arming = await Task.WhenAll(commit.Armed.Select(async timer =>
        {
            try
            {
                return new ArmedTimer(timer.Name, timer.DueAt, await ArmQueueAsync(instance.Type, instance.Id, timer, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Arming timer {Timer} of {Type}/{Id} failed; the sweeper fires it when due", timer.Name, instance.Type, instance.Id);
                return null;
            }
        }));
        var armed = arming.OfType<ArmedTimer>().ToList();
        int sent = 0, pending = 0;
        foreach (var row in commit.Outbox)
        {
            switch (await TryDispatchAsync(row, cancellationToken))
            {
                case true: sent++; break;
                case false: pending++; break;
            }
        }
        if (pending == 0 && commit.Hint is not null)
        {
            var index = await storage.TableAsync(DueTable, cancellationToken);
            await DeleteQuietlyAsync(index, commit.Hint.PartitionKey, commit.Hint.RowKey, cancellationToken);
        }
        return (sent, pending, armed);
    }

    private async Task<(WorkflowResult Result, WorkflowInstance? Instance)> FireTimerAsync(WorkflowTimerMessage message, CancellationToken cancellationToken)
    {
        var commit = await CommitAsync(message.Type, message.InstanceId, WorkflowEvent.TimerFired(message.Timer, message.Token),
            new TimerRef(message.Timer, message.Token), cancellationToken);
        var (sent, pending, armed) = commit.Outcome == WorkflowOutcome.Applied ? await AfterCommitAsync(commit, cancellationToken) : (0, 0, []);
        if (commit.Outcome != WorkflowOutcome.TimerNotDue)
        {
            // Fired, or nothing left to fire: the index row has done its job either way.
            var index = await storage.TableAsync(DueTable, cancellationToken);
            var pk = PartitionKeyOf(message.Type, message.InstanceId);
            var row = TimerIndexRow(pk, message.Type, message.InstanceId, new WorkflowTimer(message.Timer, message.DueAt, message.Token));
            await DeleteQuietlyAsync(index, row.PartitionKey, row.RowKey, cancellationToken);
        }
        return (commit.Result(sent, pending) with { Armed = armed }, commit.Instance);
    }

    private async Task<TimeSpan> ArmQueueAsync(string type, string instanceId, WorkflowTimer timer, CancellationToken cancellationToken)
    {
        var delay = timer.DueAt - clock.GetUtcNow();
        delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > Options.MaxTimerDelay ? Options.MaxTimerDelay : delay;
        await messages.SendAsync(TimerQueue, new WorkflowTimerMessage(type, instanceId, timer.Name, timer.Token, timer.DueAt), delay, cancellationToken);
        return delay;
    }

    // ---- outbox ---------------------------------------------------------------------------------------------

    internal async Task<(int Sent, int Pending)> DispatchPendingAsync(string pk, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(InstancesTable, cancellationToken);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {"o:"} and RowKey lt {"o;"}"), cancellationToken: cancellationToken))
            rows.Add(row);
        int sent = 0, pending = 0;
        foreach (var row in rows)
        {
            switch (await TryDispatchAsync(row, cancellationToken))
            {
                case true: sent++; break;
                case false: pending++; break;
            }
        }
        return (sent, pending);
    }

    /// <summary>True: sent and removed. False: not sent, left for the sweeper. Null: undeliverable, parked.</summary>
    private async Task<bool?> TryDispatchAsync(TableEntity row, CancellationToken cancellationToken)
    {
        try
        {
            await SendOutboxRowAsync(row, cancellationToken);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or JsonException or PayloadNotFoundException)
        {
            // Retrying cannot fix a malformed address or payload: park it where finance and support can see it.
            logger.LogError(e, "Outbox {Row} of {Instance} can never be sent; moved aside", row.RowKey, row.PartitionKey);
            await ParkAsync(row, e.Message, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Outbox {Row} of {Instance} was not sent; it stays for the sweeper", row.RowKey, row.PartitionKey);
            return false;
        }
        await DeleteOutboxRowAsync(row, cancellationToken);
        return true;
    }

    /// <summary>Moves an outbox row to <c>x:</c> (undeliverable) in one batch, so it is neither lost nor retried.</summary>
    private async Task ParkAsync(TableEntity row, string reason, CancellationToken cancellationToken)
    {
        var parked = new TableEntity(row.PartitionKey, "x:" + row.RowKey[2..]);
        foreach (var (key, value) in row)
            if (key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")) parked[key] = value;
        parked["Failure"] = reason.Length <= 1000 ? reason : reason[..1000];
        parked["FailedAt"] = clock.GetUtcNow();
        var table = await storage.TableAsync(InstancesTable, cancellationToken);
        try
        {
            await new TableBatch().UpsertReplace(parked).Delete(row, ETag.All).SubmitAsync(table, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Someone else dispatched or parked it meanwhile.
        }
    }

    /// <summary>Outbox rows that could never be sent (a malformed address), with the reason.</summary>
    public async Task<IReadOnlyList<(string Id, string Kind, string Failure)>> UndeliverableAsync(string type, string instanceId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(InstancesTable, cancellationToken);
        var pk = PartitionKeyOf(type, instanceId);
        var rows = new List<(string, string, string)>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {"x:"} and RowKey lt {"x;"}"), cancellationToken: cancellationToken))
            rows.Add((row.RowKey[2..], row.GetString("Kind"), row.GetString("Failure")));
        return rows;
    }

    /// <summary>Sends one outbox row without removing it: at least once, with the same Message-ID every time.</summary>
    internal async Task SendOutboxRowAsync(TableEntity row, CancellationToken cancellationToken)
    {
        var json = row.GetString("Payload") ?? Encoding.UTF8.GetString(await payloads.GetAsync(PayloadReference.Parse(row.GetString("PayloadRef")), cancellationToken));
        var command = JsonSerializer.Deserialize<WorkflowCommand>(json, WorkflowJson.Options);
        switch (command)
        {
            case SendEmail email:
                if (emailSender is null) throw new InvalidOperationException("no IWorkflowEmailSender is registered (AddTcmaEmail)");
                await emailSender.SendAsync(email.Email, $"{row.PartitionKey}/{row.RowKey}", cancellationToken);
                break;
            case SendMessage message:
                using (var document = JsonDocument.Parse(message.Json))
                    await messages.SendAsync(message.Queue, document.RootElement, null, cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"outbox row {row.RowKey} holds {command?.GetType().Name ?? "nothing"}");
        }
    }

    internal async Task DeleteOutboxRowAsync(TableEntity row, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(InstancesTable, cancellationToken);
        await DeleteQuietlyAsync(table, row.PartitionKey, row.RowKey, cancellationToken);
    }

    internal async Task<IReadOnlyList<TableEntity>> OutboxRowsAsync(string type, string instanceId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(InstancesTable, cancellationToken);
        var pk = PartitionKeyOf(type, instanceId);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {"o:"} and RowKey lt {"o;"}"), cancellationToken: cancellationToken))
            rows.Add(row);
        return rows;
    }

    private async Task<TableEntity> OutboxEntityAsync(string pk, WorkflowOutboxItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (item.Command is SendMessage m)
        {
            using var _ = JsonDocument.Parse(m.Json); // refuse a malformed message at decision time, not at every dispatch
        }
        var json = JsonSerializer.Serialize(item.Command, WorkflowJson.Options);
        var row = new TableEntity(pk, "o:" + item.Id)
        {
            ["Kind"] = item.Command is SendEmail ? "email" : "message",
            ["CreatedAt"] = now,
        };
        if (json.Length <= InlinePayloadChars) row["Payload"] = json;
        else row["PayloadRef"] = (await payloads.PutAsync(Encoding.UTF8.GetBytes(json), "application/json", cancellationToken)).ToString();
        return row;
    }

    // ---- rows -----------------------------------------------------------------------------------------------

    public static string PartitionKeyOf(string type, string instanceId)
    {
        WorkflowNames.CheckType(type);
        if (instanceId.Length is 0 or > 200 || !TableKeys.IsValid(instanceId))
            throw new ArgumentException($"workflow instance id '{TableKeys.Shorten(instanceId)}' must be 1-200 characters without '/', '\\', '#', '?' or control characters");
        return $"{type}~{instanceId}";
    }

    private static async Task<(WorkflowInstance? Instance, ETag ETag)> LoadAsync(TableClient table, string type, string instanceId, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKeyOf(type, instanceId), StateRow, cancellationToken: cancellationToken);
        if (!found.HasValue) return (null, default);
        var row = found.Value!;
        var timers = JsonSerializer.Deserialize<List<WorkflowTimer>>(row.GetString("Timers") ?? "[]", WorkflowJson.Options) ?? [];
        var instance = new WorkflowInstance(type, instanceId, row.GetInt64("Version") ?? 0, row.GetString("State"), timers,
            row.GetBoolean("Completed") ?? false, row.GetString("Outcome"));
        return (instance, row.ETag);
    }

    private static TableEntity StateEntity(string pk, WorkflowInstance instance, DateTimeOffset? createdAt, DateTimeOffset now)
    {
        var row = new TableEntity(pk, StateRow)
        {
            ["Type"] = instance.Type,
            ["InstanceId"] = instance.Id,
            ["Version"] = instance.Version,
            ["State"] = instance.StateJson,
            ["Timers"] = JsonSerializer.Serialize(instance.Timers, WorkflowJson.Options),
            ["Completed"] = instance.Completed,
            ["Outcome"] = instance.Outcome,
            ["UpdatedAt"] = now,
        };
        if (createdAt is not null) row["CreatedAt"] = createdAt;
        return row;
    }

    private static string Describe(IReadOnlyList<WorkflowCommand> commands, IReadOnlyList<WorkflowOutboxItem> outbox, bool ignored)
    {
        var list = new JsonArray();
        if (ignored) list.Add(new JsonObject { ["kind"] = "ignored", ["reason"] = "instance already completed" });
        foreach (var command in commands)
        {
            var outboxId = outbox.FirstOrDefault(o => ReferenceEquals(o.Command, command))?.Id;
            list.Add(command switch
            {
                SendEmail e => new JsonObject { ["kind"] = "email", ["outbox"] = outboxId, ["to"] = e.Email.To, ["subject"] = e.Email.Subject },
                SendMessage m => new JsonObject { ["kind"] = "message", ["outbox"] = outboxId, ["queue"] = m.Queue },
                SetTimer t => new JsonObject { ["kind"] = "set-timer", ["name"] = t.Name, ["dueAt"] = t.DueAt },
                CancelTimer t => new JsonObject { ["kind"] = "cancel-timer", ["name"] = t.Name },
                Complete c => new JsonObject { ["kind"] = "complete", ["outcome"] = c.Outcome },
                _ => new JsonObject { ["kind"] = command.GetType().Name },
            });
        }
        var text = list.ToJsonString();
        return text.Length <= 30_000 ? text : text[..30_000];
    }

    private static string Bucket(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    private static TableEntity TimerIndexRow(string pk, string type, string instanceId, WorkflowTimer timer) =>
        new(Bucket(timer.DueAt), $"t~{pk}~{timer.Name}~{timer.Token}")
        {
            ["Kind"] = "timer",
            ["Instance"] = pk,
            ["Type"] = type,
            ["InstanceId"] = instanceId,
            ["Timer"] = timer.Name,
            ["Token"] = timer.Token,
            ["DueAt"] = timer.DueAt,
        };

    private static TableEntity HintRow(string pk, long version, DateTimeOffset checkAt) =>
        new(Bucket(checkAt), $"o~{pk}~{version:D10}")
        {
            ["Kind"] = "outbox",
            ["Instance"] = pk,
            ["Version"] = version,
        };

    private static async Task RescheduleAsync(TableClient index, TableEntity row, DateTimeOffset at, CancellationToken cancellationToken)
    {
        try
        {
            var later = new TableEntity(Bucket(at), row.RowKey);
            foreach (var (key, value) in row)
                if (key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")) later[key] = value;
            if (later.PartitionKey == row.PartitionKey) return;
            await index.UpsertEntityAsync(later, TableUpdateMode.Replace, cancellationToken);
            await DeleteQuietlyAsync(index, row.PartitionKey, row.RowKey, cancellationToken);
        }
        catch (RequestFailedException)
        {
            // Storage itself is failing: the row stays where it is and the next run meets it again.
        }
    }

    private static async Task DeleteQuietlyAsync(TableClient table, string pk, string rk, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(pk, rk, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }
}
