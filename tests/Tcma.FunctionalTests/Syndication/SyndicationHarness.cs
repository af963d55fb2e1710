using Tcma.Domain;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tcma.FunctionalTests.Syndication.Fakes;
using Tcma.Syndication;

namespace Tcma.FunctionalTests.Syndication;

/// <summary>
/// The connectors as the app will build them (AddSyndication, bound from Syndication:* settings) with their base
/// URLs pointed at a loopback fake, a fake clock, and every log line captured.
/// </summary>
public sealed class SyndicationHarness : IDisposable
{
    private readonly ServiceProvider services;

    public SyndicationHarness(FakeSocialApi fake, SocialNetwork network, FakeTimeProvider clock, TimeSpan? requestTimeout = null)
    {
        Fake = fake;
        Clock = clock;
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var settings = new Dictionary<string, string?>
        {
            [$"Syndication:{network}:BaseUrl"] = fake.BaseUrl.ToString(),
            ["Syndication:TokenKeys:k2026a"] = key,
            ["Syndication:ActiveTokenKey"] = "k2026a",
            ["Syndication:DefaultRetryAfter"] = "00:05:00",
            ["Syndication:RequestTimeout"] = (requestTimeout ?? TimeSpan.FromSeconds(30)).ToString(),
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(clock)
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs))
            .AddSyndication()
            .BuildServiceProvider();
        Connector = services.GetServices<ISocialConnector>().For(network);
        Protector = services.GetRequiredService<SocialTokenProtector>();
        Network = network;
    }

    public FakeSocialApi Fake { get; }
    public FakeTimeProvider Clock { get; }
    public SocialNetwork Network { get; }
    public ISocialConnector Connector { get; }
    public SocialTokenProtector Protector { get; }
    public CapturedLogs Logs { get; } = new();

    public SocialAccount Account(IReadOnlyList<string> scopes, DateTimeOffset? expiresAt = null) =>
        new(Network, Fake.AccountId, "Northwind Networks", Protector.Protect(Fake.ValidToken, SocialAccount.TokenBindingFor(Network, Fake.AccountId)),
            expiresAt ?? Clock.GetUtcNow().AddDays(50), scopes);

    public void Dispose() => services.Dispose();

    public static byte[] Png(int size = 4096)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        return bytes;
    }
}

public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyList<string> Lines => [.. lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {structured} | {exception}");
        }
    }
}
