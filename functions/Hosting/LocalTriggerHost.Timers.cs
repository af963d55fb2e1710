using System.Text.Json.Nodes;
using NCrontab;

namespace Tcma.Functions.Hosting;

public sealed partial class LocalTriggerHost
{
    /// <summary>A firing more than this after its occurrence is reported as past due.</summary>
    internal static readonly TimeSpan PastDueTolerance = TimeSpan.FromSeconds(1);

    /// <summary>
    /// One timer function on the injected clock (UTC, like the host's default). Missed occurrences collapse into
    /// one past-due firing, as the host does; the schedule status is kept in memory only.
    /// </summary>
    private sealed class TimerScheduler
    {
        private readonly LocalTriggerHost host;
        private readonly FunctionDefinition function;
        private readonly TimerFunctionTrigger trigger;
        private readonly CrontabSchedule schedule;
        private DateTimeOffset next;

        public TimerScheduler(LocalTriggerHost host, FunctionDefinition function, TimerFunctionTrigger trigger)
        {
            this.host = host;
            this.function = function;
            this.trigger = trigger;
            schedule = FunctionCatalog.TryParseSchedule(trigger.Schedule)!;
            next = Next(host.clock.GetUtcNow());
        }

        private DateTimeOffset Next(DateTimeOffset after)
            => new(DateTime.SpecifyKind(schedule.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));

        public async Task RunAsync(CancellationToken stopping)
        {
            if (trigger.RunOnStartup) await FireAsync(host.clock.GetUtcNow(), stopping).ConfigureAwait(false);
            while (!stopping.IsCancellationRequested)
            {
                var now = host.clock.GetUtcNow();
                if (now < next)
                {
                    // The clock may be a fake one that a test moves: wait on it, and look again every second
                    // in case it moved between reading it and arming the wait.
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    await Task.WhenAny(
                        Task.Delay(next - now, host.clock, cts.Token),
                        Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, cts.Token)).ConfigureAwait(false);
                    cts.Cancel();
                    continue;
                }
                await FireAsync(next, stopping).ConfigureAwait(false);
            }
        }

        private async Task FireAsync(DateTimeOffset occurrence, CancellationToken stopping)
        {
            var now = host.clock.GetUtcNow();
            next = Next(now);
            var timer = new JsonObject
            {
                ["Schedule"] = new JsonObject { ["AdjustForDST"] = false },
                ["ScheduleStatus"] = new JsonObject
                {
                    ["Last"] = occurrence.ToString("o"),
                    ["Next"] = next.ToString("o"),
                    ["LastUpdated"] = now.ToString("o"),
                },
                ["IsPastDue"] = now - occurrence > PastDueTolerance,
            };
            var metadata = new JsonObject { ["sys"] = new JsonObject { ["MethodName"] = function.Name, ["UtcNow"] = now.ToString("o") } };
            try
            {
                // Timers are not retried by the host either: a failure waits for the next occurrence.
                await host.InvokeAsync(function, new JsonObject { [trigger.BindingName] = timer }, metadata, host.logger, host.aborting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (host.aborting.IsCancellationRequested || stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                host.logger.LogWarning(e, "Could not invoke timer function {FunctionName}", function.Name);
            }
        }
    }
}
