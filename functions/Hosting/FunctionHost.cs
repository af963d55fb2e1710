using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Trace;
using Tcma.Storage;
using Tcma.Storage.Messaging;

namespace Tcma.Functions.Hosting;

public static class FunctionHost
{
    /// <summary>Declares a function; every capability calls this for each of its queue, timer and HTTP functions.</summary>
    public static IServiceCollection AddFunction(this IServiceCollection services, FunctionDefinition definition)
        => services.AddSingleton(definition);

    public static WebApplicationBuilder AddFunctionHost(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => StorageAccount.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<LocalQueueSignal>();
        services.TryAddSingleton<IMessageSender, QueueMessageSender>();
        services.AddPublicHttpFunctions();
        services.AddSingleton(sp => new FunctionCatalog(sp.GetServices<FunctionDefinition>()));
        services.AddOptions<LocalTriggerHostOptions>().BindConfiguration(LocalTriggerHostOptions.Section);
        services.AddSingleton<LocalTriggerHost>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalTriggerHost>());
        // Only takes effect where the OpenTelemetry SDK is added (the telemetry set-up owns exporters).
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(FunctionInvocationEndpoints.ActivitySourceName, QueueMessageSender.ActivitySourceName));

        // Under the Functions host: listen where it forwards to, on loopback only.
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            if (int.TryParse(context.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"], out var port))
                kestrel.Listen(IPAddress.Loopback, port);
        });
        return builder;
    }

    public static WebApplication MapFunctionHost(this WebApplication app)
    {
        // Resolving the catalog validates every declaration: a bad one stops start-up here.
        var catalog = app.Services.GetRequiredService<FunctionCatalog>();
        // A POST to an unknown /{FunctionName} (or any bare error on that shape of request) gets ProblemDetails.
        // Not a catch-all route: that would turn every other single-segment 404 into a 405.
        app.UseWhen(IsInvocationShaped, branch => branch.UseStatusCodePages());
        app.MapFunctionInvocations(catalog);
        return app;
    }

    private static bool IsInvocationShaped(HttpContext context)
        => HttpMethods.IsPost(context.Request.Method) &&
           context.Request.Path.Value is { Length: > 1 } path && path.IndexOf('/', 1) < 0;
}
