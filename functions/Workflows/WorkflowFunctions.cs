using Tcma.Email;
using Tcma.Functions.Hosting;
using Tcma.Storage.Workflows;

// In the root namespace so the composition root needs one line, no using.
namespace Tcma.Functions;

/// <summary>The workflow runtime's two functions: the timer queue consumer and the every-minute sweeper.</summary>
public static class WorkflowFunctions
{
    public const string TimerFunction = "WorkflowTimer";
    public const string SweeperFunction = "WorkflowSweeper";
    public const string SweeperSchedule = "0 * * * * *";

    public static WebApplicationBuilder AddWorkflows(this WebApplicationBuilder builder)
    {
        builder.Services.AddTcmaEmail();
        builder.Services.AddWorkflowEngine();
        builder.Services.AddFunction(new FunctionDefinition(TimerFunction, new QueueFunctionTrigger(WorkflowEngine.TimerQueue), HandleTimerAsync));
        builder.Services.AddFunction(new FunctionDefinition(SweeperFunction, new TimerFunctionTrigger(SweeperSchedule), SweepAsync));
        return builder;
    }

    /// <summary>
    /// A malformed message throws: the host retries it and then moves it to <c>workflow-timers-poison</c>, with the
    /// reason in the log. Duplicate, stale and early timers are no-ops (early ones re-arm).
    /// </summary>
    internal static async Task HandleTimerAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken cancellationToken)
    {
        var message = WorkflowTimerMessage.Parse(invocation.TriggerText);
        await services.GetRequiredService<WorkflowEngine>().HandleTimerAsync(message, cancellationToken);
    }

    internal static Task SweepAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<WorkflowEngine>().SweepAsync(cancellationToken);
}
