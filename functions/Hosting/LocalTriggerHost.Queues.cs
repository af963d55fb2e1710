using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Tcma.Storage.Messaging;

namespace Tcma.Functions.Hosting;

public sealed partial class LocalTriggerHost
{
    private QueueServiceClient RawQueues => storage.RawQueues;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>One queue function: receive a batch, invoke each message concurrently, settle each one.</summary>
    private sealed class QueuePoller
    {
        private readonly LocalTriggerHost host;
        private readonly FunctionDefinition function;
        private readonly QueueTriggerSettings settings;
        private readonly QueueClient queue;
        private readonly QueueClient poison;
        private readonly ILogger log;
        private readonly TimeSpan lease;
        private readonly HashSet<Task> running = [];
        private readonly AsyncSignal wakeup = new();
        private readonly AsyncSignal capacity = new();
        private int inFlight;

        public QueuePoller(LocalTriggerHost host, FunctionDefinition function, QueueFunctionTrigger trigger, QueueTriggerSettings settings)
        {
            this.host = host;
            this.function = function;
            this.settings = settings;
            PhysicalQueue = host.storage.Names.Queue(trigger.Queue);
            queue = host.RawQueues.GetQueueClient(PhysicalQueue);
            poison = host.RawQueues.GetQueueClient(PhysicalQueue + "-poison");
            log = host.logger;
            lease = host.options.Value.MessageLease;
        }

        public string PhysicalQueue { get; }
        public TimeSpan CurrentInterval { get; private set; }

        public void Wake() => wakeup.Set();

        public async Task RunAsync(CancellationToken stopping)
        {
            await EnsureQueuesAsync(stopping).ConfigureAwait(false);
            var storageDelay = TimeSpan.Zero;
            while (!stopping.IsCancellationRequested)
            {
                // Like the host: fetch the next batch once no more than newBatchThreshold are still running.
                while (Volatile.Read(ref inFlight) > settings.NewBatchThreshold && !stopping.IsCancellationRequested)
                    await capacity.WaitAsync(Timeout.InfiniteTimeSpan, stopping).ConfigureAwait(false);
                if (stopping.IsCancellationRequested) break;

                QueueMessage[] messages;
                try
                {
                    messages = (await queue.ReceiveMessagesAsync(settings.BatchSize, lease, stopping).ConfigureAwait(false)).Value;
                    if (storageDelay > TimeSpan.Zero) log.LogInformation("Queue {Queue} is reachable again", PhysicalQueue);
                    storageDelay = TimeSpan.Zero;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    storageDelay = host.StorageTrouble(e, PhysicalQueue, storageDelay);
                    await wakeup.WaitAsync(storageDelay, stopping).ConfigureAwait(false);
                    continue;
                }

                if (messages.Length == 0)
                {
                    CurrentInterval = QueueTriggerSettings.NextPollingInterval(CurrentInterval, settings.MaxPollingInterval, host.options.Value.MinPollingInterval);
                    await wakeup.WaitAsync(CurrentInterval, stopping).ConfigureAwait(false);
                    continue;
                }
                CurrentInterval = TimeSpan.Zero;
                foreach (var message in messages) Start(message);
            }
            Task[] remaining;
            lock (running) remaining = running.ToArray();
            await Task.WhenAll(remaining).ConfigureAwait(false);
        }

        private void Start(QueueMessage message)
        {
            Interlocked.Increment(ref inFlight);
            var task = Task.Run(async () =>
            {
                try { await ProcessAsync(message).ConfigureAwait(false); }
                catch (Exception e) { log.LogError(e, "Message {MessageId} on {Queue} was left to reappear after an unexpected error", message.MessageId, PhysicalQueue); }
            });
            lock (running) running.Add(task);
            task.ContinueWith(t =>
            {
                lock (running) running.Remove(t);
                Interlocked.Decrement(ref inFlight);
                capacity.Set();
            }, TaskScheduler.Default);
        }

        private async Task EnsureQueuesAsync(CancellationToken stopping)
        {
            var delay = TimeSpan.Zero;
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await queue.CreateIfNotExistsAsync(cancellationToken: stopping).ConfigureAwait(false);
                    await poison.CreateIfNotExistsAsync(cancellationToken: stopping).ConfigureAwait(false);
                    return;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    delay = host.StorageTrouble(e, PhysicalQueue, delay);
                    try { await Task.Delay(delay, TimeProvider.System, stopping).ConfigureAwait(false); }
                    catch (OperationCanceledException) { return; }
                }
            }
        }

        private async Task ProcessAsync(QueueMessage message)
        {
            var raw = message.Body.ToString();
            string text;
            try
            {
                text = StrictUtf8.GetString(Convert.FromBase64String(raw));
            }
            catch (Exception e) when (e is FormatException or DecoderFallbackException)
            {
                await MoveToPoisonAsync(message, message.PopReceipt, raw,
                    $"the message is not Base64-encoded UTF-8 text, which the queue trigger requires (messageEncoding base64): {e.Message}").ConfigureAwait(false);
                return;
            }

            var popReceipt = new StrongBox<string>(message.PopReceipt);
            using var renewing = new CancellationTokenSource();
            var renewal = RenewAsync(message, popReceipt, renewing.Token);
            bool succeeded;
            try
            {
                var data = new JsonObject { [((QueueFunctionTrigger)function.Trigger).BindingName] = text };
                succeeded = await host.InvokeAsync(function, data, Metadata(message), log, host.aborting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (host.aborting.IsCancellationRequested)
            {
                // Shutdown ran out of time: leave the message; it reappears when its lease ends.
                renewing.Cancel();
                await renewal.ConfigureAwait(false);
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Could not invoke {FunctionName} for message {MessageId}", function.Name, message.MessageId);
                succeeded = false;
            }
            renewing.Cancel();
            await renewal.ConfigureAwait(false);

            try
            {
                if (succeeded)
                    await queue.DeleteMessageAsync(message.MessageId, popReceipt.Value, CancellationToken.None).ConfigureAwait(false);
                else if (message.DequeueCount >= settings.MaxDequeueCount)
                    await MoveToPoisonAsync(message, popReceipt.Value, raw, $"{function.Name} failed {message.DequeueCount} times (maxDequeueCount {settings.MaxDequeueCount})").ConfigureAwait(false);
                else
                    await queue.UpdateMessageAsync(message.MessageId, popReceipt.Value, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The message reappears when its lease ends and is retried; handlers are idempotent.
                log.LogWarning("Could not settle message {MessageId} on {Queue}: {Error}", message.MessageId, PhysicalQueue, e.Message);
            }
        }

        private static JsonObject Metadata(QueueMessage message) => new()
        {
            ["DequeueCount"] = message.DequeueCount,
            ["Id"] = message.MessageId,
            ["InsertionTime"] = message.InsertedOn?.ToString("o"),
            ["ExpirationTime"] = message.ExpiresOn?.ToString("o"),
            ["NextVisibleTime"] = message.NextVisibleOn?.ToString("o"),
            ["PopReceipt"] = message.PopReceipt,
        };

        /// <summary>Keeps a long-running message invisible: renews its lease at half-time.</summary>
        private async Task RenewAsync(QueueMessage message, StrongBox<string> popReceipt, CancellationToken cancellationToken)
        {
            while (true)
            {
                try { await Task.Delay(lease / 2, TimeProvider.System, cancellationToken).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                try
                {
                    // Not cancellable: an update the server applied but we never heard of would lose the new receipt.
                    var updated = await queue.UpdateMessageAsync(message.MessageId, popReceipt.Value, visibilityTimeout: lease, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                    popReceipt.Value = updated.Value.PopReceipt;
                }
                catch (Exception e)
                {
                    log.LogWarning("Could not renew the lease of message {MessageId} on {Queue}: {Error}", message.MessageId, PhysicalQueue, e.Message);
                }
            }
        }

        private async Task MoveToPoisonAsync(QueueMessage message, string popReceipt, string raw, string reason)
        {
            log.LogError("Moving message {MessageId} from {Queue} to {PoisonQueue}: {Reason}", message.MessageId, PhysicalQueue, poison.Name, reason);
            try
            {
                // The body as stored, so the message can be inspected or re-queued unchanged.
                await poison.SendMessageAsync(raw, CancellationToken.None).ConfigureAwait(false);
                await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // It reappears after its lease and is moved on the next attempt (a duplicate poison copy at worst).
                log.LogWarning("Could not move message {MessageId} to {PoisonQueue}: {Error}", message.MessageId, poison.Name, e.Message);
            }
        }
    }

    /// <summary>A wake-up that is not lost when raised before the wait starts.</summary>
    private sealed class AsyncSignal
    {
        private TaskCompletionSource signal = New();

        private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Set() => Volatile.Read(ref signal).TrySetResult();

        public async Task WaitAsync(TimeSpan delay, CancellationToken stopping)
        {
            var current = Volatile.Read(ref signal);
            if (!current.Task.IsCompleted)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                var timer = delay == Timeout.InfiniteTimeSpan ? Task.Delay(Timeout.Infinite, cts.Token) : Task.Delay(delay, TimeProvider.System, cts.Token);
                await Task.WhenAny(current.Task, timer).ConfigureAwait(false);
                cts.Cancel();
                if (!current.Task.IsCompleted) return;
            }
            Interlocked.CompareExchange(ref signal, New(), current);
        }
    }

    private sealed class StrongBox<T>(T value)
    {
        public T Value { get; set; } = value;
    }

    private TimeSpan StorageTrouble(Exception e, string queue, TimeSpan previous)
    {
        var next = previous == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(previous.Ticks * 2, options.Value.MaxStorageRetryInterval.Ticks));
        if (previous == TimeSpan.Zero || next != previous)
            logger.LogWarning("Storage is unreachable for queue {Queue} ({Error}); retrying in {Delay}", queue, e.Message, next);
        return next;
    }
}
