using System.Diagnostics;
using System.Net;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Hosting;

/// <summary>The app started the way the Functions host starts a custom handler.</summary>
public sealed class CustomHandlerProcessTests
{
    [Fact]
    public async Task With_FUNCTIONS_CUSTOMHANDLER_PORT_it_listens_on_loopback_there_and_leaves_triggers_to_the_host()
    {
        var azurite = await LocalServices.Azurite();
        var port = LocalServices.FreePort();
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "Tcma.Functions.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
            Environment =
            {
                ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(),
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:1", // the host's port must win over any other setting
                ["DOTNET_ENVIRONMENT"] = "Production",
            },
        })!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await LocalServices.WaitForPortAsync(port, process, "the custom handler");
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

            var response = await http.PostAsync("NoSuchFunction", new StringContent("{}"));

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            // Loopback only, and only there: the host's port wins over ASPNETCORE_URLS.
            await QueueTriggerTests.WaitUntilAsync(() => Task.FromResult(output.Any(line => line.Contains($"Now listening on: http://127.0.0.1:{port}"))));
            Assert.DoesNotContain(output, line => line.EndsWith("http://127.0.0.1:1", StringComparison.Ordinal));
            Assert.Contains(output, line => line.Contains("Local trigger host is off"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
