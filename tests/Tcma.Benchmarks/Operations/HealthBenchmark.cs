using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.Benchmarks.Operations;

/// <summary>
/// What storage costs the app at start-up and what /health costs a prober, with storage up (Azurite)
/// and down (closed ports).
/// </summary>
public sealed class HealthBenchmark : IBenchmark
{
    public string Name => "health";
    public string Description => "app start-up (storage provisioning) and /health latency, storage up and down";

    public async Task RunAsync(string[] args)
    {
        var azurite = await LocalServices.Azurite();
        var up = azurite.ConnectionString;
        var down = up.Replace($":{azurite.BlobPort}/", $":{LocalServices.FreePort()}/")
            .Replace($":{azurite.QueuePort}/", $":{LocalServices.FreePort()}/")
            .Replace($":{azurite.TablePort}/", $":{LocalServices.FreePort()}/");

        await using (var warmup = Start(up)) _ = await warmup.CreateClient().GetAsync("/health");

        foreach (var (label, connection, requests) in new[] { ("storage up", up, 200), ("storage down", down, 5) })
        {
            var starts = new List<double>();
            var latencies = new List<double>();
            HttpStatusCode status = 0;
            for (var run = 0; run < 3; run++)
            {
                var clock = Stopwatch.StartNew();
                await using var app = Start(connection);
                var client = app.CreateClient();
                starts.Add(clock.Elapsed.TotalMilliseconds);
                for (var i = 0; i < requests; i++)
                {
                    clock.Restart();
                    status = (await client.GetAsync("/health")).StatusCode;
                    latencies.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            latencies.Sort();
            Console.WriteLine($"{label,-13} start-up median {Median(starts),7:0} ms | /health {(int)status} " +
                              $"median {Median(latencies),7:0.0} ms, p95 {latencies[(int)(latencies.Count * 0.95)],7:0.0} ms ({latencies.Count} requests)");
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    // Any type of the app assembly names it: this project has its own Program.
    private static WebApplicationFactory<Tcma.Functions.Hosting.FunctionDefinition> Start(string connection)
    {
        // The app's folder is "functions", not its assembly name, so tell the factory where it lives.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TCMA_FUNCTIONS", Path.Combine(RepoPaths.Root, "functions"));
        var factory = new WebApplicationFactory<Tcma.Functions.Hosting.FunctionDefinition>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            b.UseSetting("AzureWebJobsStorage", connection);
            b.UseSetting("Storage:NamePrefix", "b" + Guid.NewGuid().ToString("N")[..12]);
            b.UseSetting("LocalTriggerHost:Enabled", "false");
            b.UseSetting("Logging:LogLevel:Default", "Error");
        });
        _ = factory.Server;
        return factory;
    }
}
