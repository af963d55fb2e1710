using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tcma.Functions.Hosting;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage;

namespace Tcma.FunctionalTests.Hosting;

/// <summary>
/// The real app with extra test-only functions, on the shared Azurite with its own storage prefix (the same
/// settings <see cref="TcmaAppFactory"/> passes), and every log line kept for assertions.
/// </summary>
public sealed class FunctionsTestApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly Action<IServiceCollection> configure;
    private readonly FakeTimeProvider? clock;

    private FunctionsTestApp(Dictionary<string, string?> settings, Action<IServiceCollection> configure, FakeTimeProvider? clock)
    {
        this.settings = settings;
        this.configure = configure;
        this.clock = clock;
    }

    public LogSink Logs { get; } = new();
    public string StoragePrefix => settings["Storage:NamePrefix"]!;
    public StorageAccount Storage => Services.GetRequiredService<StorageAccount>();
    public LocalTriggerHost TriggerHost => Services.GetRequiredService<LocalTriggerHost>();

    public static async Task<FunctionsTestApp> StartAsync(
        Action<IServiceCollection>? services = null,
        FakeTimeProvider? clock = null,
        IDictionary<string, string?>? overrides = null,
        bool kestrel = false)
    {
        var azurite = await LocalServices.Azurite();
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = "t" + Guid.NewGuid().ToString("N")[..12],
            ["LocalTriggerHost:Enabled"] = "true",
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) settings[k] = v;
        var app = new FunctionsTestApp(settings, services ?? (_ => { }), clock);
        if (kestrel)
        {
            app.UseKestrel(LocalServices.FreePort());
            app.StartServer();
        }
        else
        {
            _ = app.Server;
        }
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureServices(services =>
        {
            configure(services);
            if (clock is not null) services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
        });
    }
}

/// <summary>Keeps every log line the app writes.</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> entries = new();
    private readonly ConcurrentQueue<(string Message, IReadOnlyDictionary<string, object?> Scope)> scoped = new();
    private readonly AsyncLocal<ImmutableStack?> scopes = new();

    public IEnumerable<(string Category, LogLevel Level, string Message)> Entries => entries;

    /// <summary>Each line with the key/value pairs of the log scopes it was written in.</summary>
    public IEnumerable<(string Message, IReadOnlyDictionary<string, object?> Scope)> Scoped => scoped;

    private sealed record ImmutableStack(object State, ImmutableStack? Parent);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = entries.FirstOrDefault(e => match(e.Message));
            if (found.Message is not null) return found.Message;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no matching log line");
            await Task.Delay(50);
        }
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            var parent = sink.scopes.Value;
            sink.scopes.Value = new ImmutableStack(state, parent);
            return new Pop(() => sink.scopes.Value = parent);
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            sink.entries.Enqueue((category, logLevel, message));
            var scope = new Dictionary<string, object?>();
            for (var s = sink.scopes.Value; s is not null; s = s.Parent)
                if (s.State is IEnumerable<KeyValuePair<string, object>> pairs)
                    foreach (var (key, value) in pairs) scope.TryAdd(key, value);
            sink.scoped.Enqueue((message, scope));
        }

        private sealed class Pop(Action pop) : IDisposable
        {
            public void Dispose() => pop();
        }
    }
}

/// <summary>What a test function saw, in order.</summary>
public sealed class Invocations
{
    private readonly ConcurrentQueue<Seen> seen = new();

    public sealed record Seen(FunctionInvocation Invocation, ActivityTraceId? TraceId);

    public IReadOnlyList<Seen> All => seen.ToArray();

    public void Add(FunctionInvocation invocation) => seen.Enqueue(new Seen(invocation, Activity.Current?.TraceId));

    public async Task<IReadOnlyList<Seen>> WaitForAsync(int count, Func<Seen, bool>? where = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var matching = seen.Where(where ?? (_ => true)).ToList();
            if (matching.Count >= count) return matching;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"expected {count} invocations, saw {matching.Count}");
            await Task.Delay(25);
        }
    }
}
