using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Operations;

namespace Tcma.FunctionalTests.Operations;

public sealed class TelemetryTests
{
    [Fact]
    public async Task With_an_OTLP_endpoint_set_request_spans_and_the_apps_own_spans_are_exported_as_service_tcma()
    {
        using var collector = new TelemetryReceiver();
        var probe = "probe-" + Guid.NewGuid().ToString("N");
        await using var app = await TcmaAppFactory.StartAsync(overrides: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collector.Port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        await app.CreateClient().GetAsync($"/{probe}-page");
        using (Telemetry.ActivitySource.StartActivity($"{probe}-span")) { }

        var traces = await FlushUntilAsync(app, () => string.Join("\n", collector.Bodies("/v1/traces")),
            t => t.Contains($"/{probe}-page") && t.Contains($"{probe}-span"));
        Assert.Contains($"/{probe}-page", traces);
        Assert.Contains($"{probe}-span", traces);
        Assert.Contains(Telemetry.ServiceName, traces);
    }

    [Fact]
    public async Task With_an_Application_Insights_connection_string_spans_go_to_its_ingestion_endpoint()
    {
        using var ingestion = new TelemetryReceiver("""{"itemsReceived":0,"itemsAccepted":0,"errors":[]}""");
        var probe = "probe-" + Guid.NewGuid().ToString("N");
        await using var app = await TcmaAppFactory.StartAsync(overrides: new Dictionary<string, string?>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] =
                $"InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:{ingestion.Port}/",
            // The exporter's default rate limit (5 traces/s) may drop this one request: the test is about export, not sampling.
            ["Telemetry:SamplingRatio"] = "1",
        });
        await app.CreateClient().GetAsync($"/{probe}-page");

        var sent = await FlushUntilAsync(app, () => string.Join("\n", ingestion.Requests.Select(r => System.Text.Encoding.UTF8.GetString(r.Body))),
            s => s.Contains($"/{probe}-page"));
        Assert.Contains($"/{probe}-page", sent);
        Assert.Contains(Telemetry.ServiceName, sent);
    }

    [Fact]
    public async Task Without_exporter_settings_nothing_is_exported_and_the_app_runs()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        Assert.Null(app.Services.GetService<OpenTelemetry.Metrics.MeterProvider>());
        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/no-such-page")).StatusCode);
    }

    [Fact]
    public async Task Outside_Development_console_logs_are_json_with_scopes()
    {
        await using var development = await TcmaAppFactory.StartAsync();
        Assert.NotEqual("json", development.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);

        await using var production = development.WithWebHostBuilder(b => b.UseEnvironment("Production"));
        Assert.Equal("json", production.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        Assert.True(production.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue.IncludeScopes);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await production.CreateClient().GetAsync("/no-such-page")).StatusCode);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("Authorization=Basic", null)]
    [InlineData("ClientId=5e1a0c9e-0000-0000-0000-000000000001;Authorization=AAD", typeof(Azure.Identity.ManagedIdentityCredential))]
    [InlineData("Authorization=aad", typeof(Azure.Identity.ManagedIdentityCredential))]
    public void Application_Insights_authentication_string_selects_the_managed_identity(string? value, Type? expected)
        => Assert.Equal(expected, Telemetry.AzureMonitorCredential(value)?.GetType());

    /// <summary>
    /// The server span ends after the client has its response, so flush until it has been sent
    /// (a real-time deadline, not a timing assertion).
    /// </summary>
    private static async Task<string> FlushUntilAsync(TcmaAppFactory app, Func<string> received, Func<string, bool> done)
    {
        var tracing = app.Services.GetRequiredService<TracerProvider>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            tracing.ForceFlush(5000);
            var text = received();
            if (done(text) || DateTime.UtcNow > deadline) return text;
            await Task.Delay(100);
        }
    }
}
