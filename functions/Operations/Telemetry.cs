using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Tcma.Functions.Operations;

/// <summary>
/// Traces, metrics and logs through OpenTelemetry. Spans are always recorded (so code can enrich them);
/// they leave the process only when an exporter is configured: OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is
/// set, Azure Monitor when APPLICATIONINSIGHTS_CONNECTION_STRING is set, nothing otherwise.
/// </summary>
public static class Telemetry
{
    /// <summary>The ActivitySource (and Meter) name for the app's own spans.</summary>
    public const string SourceName = "Tcma";

    public const string ServiceName = "tcma";

    public static readonly ActivitySource ActivitySource = new(SourceName);

    internal static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var appInsights = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var azureMonitor = !string.IsNullOrWhiteSpace(appInsights);
        // Measured with the OTLP exporter 1.20.1: it takes the endpoint from configuration but the protocol
        // only from the process environment; honour both alike so appsettings behave as env vars do.
        var otlpProtocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"];
        void ConfigureOtlp(OtlpExporterOptions options)
        {
            if (string.Equals(otlpProtocol, "http/protobuf", StringComparison.OrdinalIgnoreCase)) options.Protocol = OtlpExportProtocol.HttpProtobuf;
            else if (string.Equals(otlpProtocol, "grpc", StringComparison.OrdinalIgnoreCase)) options.Protocol = OtlpExportProtocol.Grpc;
        }
        var azureMonitorCredential = AzureMonitorCredential(configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        void ConfigureAzureMonitor(AzureMonitorExporterOptions options)
        {
            options.ConnectionString = appInsights;
            options.Credential = azureMonitorCredential;
            // The exporter samples at most 5 traces/s by default (a cost guard); Telemetry:TracesPerSecond
            // or Telemetry:SamplingRatio overrides it.
            if (double.TryParse(configuration["Telemetry:TracesPerSecond"], CultureInfo.InvariantCulture, out var perSecond)) options.TracesPerSecond = perSecond;
            if (float.TryParse(configuration["Telemetry:SamplingRatio"], CultureInfo.InvariantCulture, out var ratio))
            {
                options.SamplingRatio = ratio;
                if (configuration["Telemetry:TracesPerSecond"] is null) options.TracesPerSecond = null;
            }
        }

        var openTelemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(SourceName)
                    // Probes hit /health every few seconds; their spans would drown the useful ones.
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments(OperationsEndpoints.HealthPath))
                    .AddHttpClientInstrumentation();
                if (otlp) tracing.AddOtlpExporter(ConfigureOtlp);
                if (azureMonitor) tracing.AddAzureMonitorTraceExporter(ConfigureAzureMonitor);
            });

        if (otlp || azureMonitor)
        {
            openTelemetry
                .WithMetrics(metrics =>
                {
                    metrics.AddMeter(SourceName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                    if (otlp) metrics.AddOtlpExporter(ConfigureOtlp);
                    if (azureMonitor) metrics.AddAzureMonitorMetricExporter(ConfigureAzureMonitor);
                })
                .WithLogging(logging =>
                {
                    if (otlp) logging.AddOtlpExporter(ConfigureOtlp);
                    if (azureMonitor) logging.AddAzureMonitorLogExporter(ConfigureAzureMonitor);
                }, options =>
                {
                    options.IncludeScopes = true;
                    options.IncludeFormattedMessage = true;
                });
        }

        // Machine-readable logs where something collects stdout (the Functions host, a container runtime);
        // scopes carry the invocation and trace ids.
        if (!builder.Environment.IsDevelopment())
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });

        return builder;
    }

    /// <summary>
    /// With local authentication disabled on Application Insights, telemetry must carry an Entra token:
    /// APPLICATIONINSIGHTS_AUTHENTICATION_STRING ("ClientId=...;Authorization=AAD") names the identity.
    /// </summary>
    internal static TokenCredential? AzureMonitorCredential(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString)) return null;
        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var kind) || !kind.Equals("AAD", StringComparison.OrdinalIgnoreCase)) return null;
        return parts.TryGetValue("ClientId", out var clientId) && !string.IsNullOrEmpty(clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
