using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Tcma.Storage;
using Tcma.Storage.Messaging;

namespace Tcma.Functions.Hosting;

/// <summary>
/// Stands in for the Functions host locally and in tests: polls the declared queues on Azurite, fires the
/// declared timers, and invokes functions over the same HTTP contract (<c>POST /{FunctionName}</c>) with the
/// same queue semantics as host.json declares. Off under the real host.
/// </summary>
public sealed partial class LocalTriggerHost(
    FunctionCatalog catalog,
    StorageAccount storage,
    LocalQueueSignal signal,
    TimeProvider clock,
    IServer server,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    IOptions<LocalTriggerHostOptions> options,
    ILogger<LocalTriggerHost> logger) : IHostedService, IDisposable
{
    // Fields, not captured parameters, because the nested pollers reach them.
    private readonly StorageAccount storage = storage;
    private readonly TimeProvider clock = clock;
    private readonly IOptions<LocalTriggerHostOptions> options = options;
    private readonly ILogger logger = logger;
    private readonly CancellationTokenSource stopping = new();
    // Cancelled only when shutdown runs out of time: in-flight invocations are abandoned, their messages reappear.
    private readonly CancellationTokenSource aborting = new();
    private readonly List<Task> loops = [];
    private readonly Dictionary<string, QueuePoller> pollers = new(StringComparer.Ordinal);
    private HttpClient? client;
    private CancellationTokenRegistration started;

    public bool IsEnabled => options.Value.Enabled ?? string.IsNullOrEmpty(configuration["FUNCTIONS_CUSTOMHANDLER_PORT"]);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!IsEnabled)
        {
            logger.LogInformation("Local trigger host is off: the Functions host delivers triggers");
            return Task.CompletedTask;
        }
        var settings = options.Value.QueueSettings(QueueTriggerSettings.Default);
        foreach (var function in catalog.Invocable)
        {
            if (function.Trigger is QueueFunctionTrigger q)
            {
                var poller = new QueuePoller(this, function, q, settings);
                pollers[poller.PhysicalQueue] = poller;
            }
        }
        // Timers take their first due time from the clock now, so a test that advances a fake clock right
        // after start-up sees the occurrence it expects.
        var timers = catalog.Invocable.Where(f => f.Trigger is TimerFunctionTrigger)
            .Select(f => new TimerScheduler(this, f, (TimerFunctionTrigger)f.Trigger)).ToList();
        signal.MessageSent += OnMessageSent;
        // Invocations go through the server, which listens only once the app has started.
        started = lifetime.ApplicationStarted.Register(() =>
        {
            lock (loops)
            {
                if (stopping.IsCancellationRequested) return;
                loops.AddRange(pollers.Values.Select(p => Task.Run(() => p.RunAsync(stopping.Token))));
                loops.AddRange(timers.Select(t => Task.Run(() => t.RunAsync(stopping.Token))));
            }
        });
        logger.LogInformation("Local trigger host watching {QueueCount} queues and {TimerCount} timers", pollers.Count, timers.Count);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        signal.MessageSent -= OnMessageSent;
        Task[] running;
        lock (loops)
        {
            stopping.Cancel();
            running = loops.ToArray();
        }
        using var abort = cancellationToken.Register(() => aborting.Cancel());
        await Task.WhenAll(running).WaitAsync(Timeout.InfiniteTimeSpan, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
    }

    // The token sources are not disposed: the host may call StopAsync after disposing its services, and
    // without timers they hold nothing that needs releasing.
    public void Dispose()
    {
        started.Dispose();
        client?.Dispose();
    }

    /// <summary>The current idle wait of a queue's poller (physical name), for tests and diagnostics.</summary>
    internal TimeSpan? PollingInterval(string physicalQueue) => pollers.TryGetValue(physicalQueue, out var p) ? p.CurrentInterval : null;

    private void OnMessageSent(string physicalQueue)
    {
        if (pollers.TryGetValue(physicalQueue, out var poller)) poller.Wake();
    }

    private HttpClient Client => client ??= CreateClient();

    private HttpClient CreateClient()
    {
        var custom = options.Value.InvocationHandler;
        if (custom is not null)
            return new HttpClient(custom(services)) { BaseAddress = new Uri("http://localhost/"), Timeout = Timeout.InfiniteTimeSpan };
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is not null)
            return new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Loopback(address), Timeout = Timeout.InfiniteTimeSpan };
        // WebApplicationFactory's in-memory server has no address; it hands out a handler instead.
        var createHandler = server.GetType().GetMethod("CreateHandler", Type.EmptyTypes);
        if (createHandler?.Invoke(server, null) is HttpMessageHandler handler)
            return new HttpClient(handler) { BaseAddress = new Uri("http://localhost/"), Timeout = Timeout.InfiniteTimeSpan };
        throw new InvalidOperationException("The local trigger host cannot reach the app: the server has no address. Set LocalTriggerHostOptions.InvocationHandler.");
    }

    private static Uri Loopback(string address)
    {
        var uri = new Uri(address.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost"));
        var host = uri.Host is "localhost" ? IPAddress.Loopback.ToString() : uri.Host;
        return new UriBuilder(uri) { Host = host, Path = "/" }.Uri;
    }

    /// <summary>POSTs the invocation and returns whether it succeeded; the reply's Logs are written to the log.</summary>
    private async Task<bool> InvokeAsync(FunctionDefinition function, JsonObject data, JsonObject metadata, ILogger functionLogger, CancellationToken cancellationToken)
    {
        var invocationId = Guid.NewGuid().ToString();
        var payload = new JsonObject { ["Data"] = data, ["Metadata"] = metadata };
        using var request = new HttpRequestMessage(HttpMethod.Post, function.Name)
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(FunctionInvocationEndpoints.InvocationIdHeader, invocationId);
        using var response = await Client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            try
            {
                if (JsonNode.Parse(body)?["Logs"] is JsonArray logs)
                    foreach (var line in logs)
                        functionLogger.LogInformation("{FunctionName} ({InvocationId}): {Log}", function.Name, invocationId, line?.ToString());
            }
            catch (JsonException)
            {
                functionLogger.LogWarning("{FunctionName} replied with a body that is not JSON", function.Name);
            }
            return true;
        }
        functionLogger.LogWarning("{FunctionName} ({InvocationId}) failed with {Status}: {Body}", function.Name, invocationId, (int)response.StatusCode, body);
        return false;
    }
}
