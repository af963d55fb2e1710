using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Functions;
using Tcma.Functions.Hosting;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage.Workflows;

namespace Tcma.FunctionalTests.Workflows;

/// <summary>Through the real app: the two workflow functions are declared and their handlers run against its storage.</summary>
public sealed class WorkflowFunctionsTests
{
    [Fact]
    public async Task The_app_declares_the_timer_queue_function_and_the_sweeper_and_both_handlers_run()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock: clock, localTriggerHost: false);
        var functions = app.Services.GetServices<FunctionDefinition>().ToDictionary(f => f.Name);

        var timer = functions[WorkflowFunctions.TimerFunction];
        var sweeper = functions[WorkflowFunctions.SweeperFunction];
        Assert.Equal(new QueueFunctionTrigger("workflow-timers"), timer.Trigger);
        Assert.Equal(new TimerFunctionTrigger("0 * * * * *"), sweeper.Trigger);

        await sweeper.Handler!(Invocation(sweeper.Name, null), app.Services, default);
        // A malformed timer message fails the invocation, so the host retries it and then moves it to the poison queue.
        await Assert.ThrowsAsync<FormatException>(() => timer.Handler!(Invocation(timer.Name, JsonValue.Create("{\"Type\":1}")), app.Services, default));
        // A well-formed message for a type this app does not run fails the same way, with the reason.
        var orphan = """{"Type":"Retired","InstanceId":"i-1","Timer":"t","Token":3,"DueAt":"2026-11-02T09:00:00+00:00"}""";
        await Assert.ThrowsAsync<UnknownWorkflowTypeException>(() => timer.Handler!(Invocation(timer.Name, JsonValue.Create(orphan)), app.Services, default));
    }

    private static FunctionInvocation Invocation(string name, JsonNode? data) => new(name, Guid.NewGuid().ToString(), data, new JsonObject { ["DequeueCount"] = 1 });
}
