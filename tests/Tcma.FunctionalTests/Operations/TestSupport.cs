using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Tcma.FunctionalTests.Operations;

/// <summary>Forwards a loopback port to another: storage "comes back" when the forwarder starts.</summary>
internal sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly int target;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;

    public TcpForwarder(int port, int target)
    {
        this.target = target;
        listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        accepting = Task.Run(AcceptAsync);
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using (inbound)
                using (var outbound = new TcpClient())
                {
                    try
                    {
                        await outbound.ConnectAsync(IPAddress.Loopback, target, stop.Token);
                        using var a = inbound.GetStream();
                        using var b = outbound.GetStream();
                        await Task.WhenAny(a.CopyToAsync(b, stop.Token), b.CopyToAsync(a, stop.Token));
                    }
                    catch (Exception) { }
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}

/// <summary>Collects log lines of a running app (added to its ILoggerFactory after start).</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
    }
}

/// <summary>A loopback HTTP endpoint that records what telemetry exporters post to it.</summary>
internal sealed class TelemetryReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task serving;

    public TelemetryReceiver(string reply = "")
    {
        Port = Infrastructure.LocalServices.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception) { return; }
                try
                {
                    var body = new MemoryStream();
                    Stream input = context.Request.InputStream;
                    if (context.Request.Headers["Content-Encoding"] is "gzip") input = new GZipStream(input, CompressionMode.Decompress);
                    await input.CopyToAsync(body);
                    Requests.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                    context.Response.StatusCode = 200;
                    var bytes = System.Text.Encoding.UTF8.GetBytes(reply);
                    context.Response.ContentType = "application/json";
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
                // The exporter's last flush may still be arriving when the test ends and stops the listener.
                catch (Exception) when (!listener.IsListening) { return; }
            }
        });
    }

    public int Port { get; }
    public ConcurrentQueue<(string Path, byte[] Body)> Requests { get; } = new();

    /// <summary>Bodies posted to a path, as text (protobuf strings are plain UTF-8 inside the bytes).</summary>
    public IEnumerable<string> Bodies(string path) => Requests.Where(r => r.Path == path).Select(r => System.Text.Encoding.UTF8.GetString(r.Body));

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        serving.Wait(TimeSpan.FromSeconds(5));
    }
}
