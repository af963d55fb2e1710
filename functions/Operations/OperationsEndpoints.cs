using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tcma.Storage;

namespace Tcma.Functions.Operations;

/// <summary>Health, start-up provisioning of storage, and telemetry: what keeps the app observable.</summary>
public static class OperationsEndpoints
{
    public const string HealthPath = "/health";

    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => StorageAccount.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        builder.Services.AddSingleton<StorageProvisioner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StorageProvisioner>());
        builder.Services.AddHealthChecks()
            .AddCheck<TableStorageHealthCheck>("tables", tags: ["storage"])
            .AddCheck<QueueStorageHealthCheck>("queues", tags: ["storage"])
            .AddCheck<BlobStorageHealthCheck>("blobs", tags: ["storage"]);
        builder.AddTelemetry();
        return builder;
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        // Anonymous: load balancers and the platform probe it; it names dependencies, never secrets.
        app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResponseWriter = WriteHealthAsync })
            .AllowAnonymous()
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .WithName("Health");
        return app;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            totalDurationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                data = e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
