using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Functions.Hosting;
using Tcma.Storage.Messaging;

namespace Tcma.FunctionalTests.Hosting;

public sealed class TimerAndTraceTests
{
    [Fact]
    public async Task A_timer_fires_when_the_clock_passes_its_schedule_and_reports_a_late_firing_as_past_due()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 8, 0, 30, TimeSpan.Zero));
        var seen = new Invocations();
        await using var app = await FunctionsTestApp.StartAsync(
            services => services.AddFunction(new FunctionDefinition("Sweep", new TimerFunctionTrigger("0 */5 * * * *"), (i, _, _) => { seen.Add(i); return Task.CompletedTask; })),
            clock: clock);

        clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(30)); // exactly 08:05:00
        var onTime = (await seen.WaitForAsync(1))[0].Invocation.TriggerData!;
        Assert.False(onTime["IsPastDue"]!.GetValue<bool>());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 5, 0, TimeSpan.Zero), DateTimeOffset.Parse(onTime["ScheduleStatus"]!["Last"]!.GetValue<string>()));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 10, 0, TimeSpan.Zero), DateTimeOffset.Parse(onTime["ScheduleStatus"]!["Next"]!.GetValue<string>()));

        clock.Advance(TimeSpan.FromMinutes(17)); // 08:22:00: three occurrences missed, one late firing
        var late = (await seen.WaitForAsync(2))[1].Invocation.TriggerData!;
        Assert.True(late["IsPastDue"]!.GetValue<bool>());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 25, 0, TimeSpan.Zero), DateTimeOffset.Parse(late["ScheduleStatus"]!["Next"]!.GetValue<string>()));
        Assert.Equal(2, seen.All.Count);
    }

    [Fact]
    public async Task One_trace_runs_from_the_http_request_through_the_queue_into_the_function()
    {
        var spans = new System.Collections.Concurrent.ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var seen = new Invocations();
        await using var app = await FunctionsTestApp.StartAsync(services =>
        {
            services.AddFunction(new FunctionDefinition("Notify", new QueueFunctionTrigger("notify-test"), (i, _, _) => { seen.Add(i); return Task.CompletedTask; }));
            services.AddSingleton<IStartupFilter>(new SendOnRequest());
        });
        var traceId = ActivityTraceId.CreateRandom();
        var request = new HttpRequestMessage(HttpMethod.Post, "/test-send");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        var response = await app.CreateClient().SendAsync(request);

        response.EnsureSuccessStatusCode();
        var invocation = (await seen.WaitForAsync(1))[0];
        Assert.Equal(traceId, invocation.TraceId);
        Assert.Equal("""{"Lead":"l-1"}""", invocation.Invocation.TriggerText);
        await QueueTriggerTests.WaitUntilAsync(() => Task.FromResult(spans.Any(s => s.Source.Name == FunctionInvocationEndpoints.ActivitySourceName && s.TraceId == traceId)));
        Assert.Contains(spans, s => s.Source.Name == QueueMessageSender.ActivitySourceName && s.TraceId == traceId && s.Kind == ActivityKind.Producer);
        var consumer = spans.Single(s => s.Source.Name == FunctionInvocationEndpoints.ActivitySourceName && s.TraceId == traceId);
        Assert.Equal(ActivityKind.Consumer, consumer.Kind);
        Assert.Equal("Notify", consumer.DisplayName);
    }

    private sealed class SendOnRequest : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map("/test-send", branch => branch.Run(async context =>
            {
                await context.RequestServices.GetRequiredService<IMessageSender>().SendAsync("notify-test", new { Lead = "l-1" });
                context.Response.StatusCode = StatusCodes.Status202Accepted;
            }));
            next(app);
        };
    }
}
