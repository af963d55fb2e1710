namespace Tcma.Functions.Hosting;

/// <summary>Settings of the local trigger host (section <c>LocalTriggerHost</c>).</summary>
public sealed class LocalTriggerHostOptions
{
    public const string Section = "LocalTriggerHost";

    /// <summary>On by default unless the Functions host started us (it sets FUNCTIONS_CUSTOMHANDLER_PORT).</summary>
    public bool? Enabled { get; set; }

    /// <summary>Overrides host.json's maxPollingInterval locally (e.g. in a test proving the fast path).</summary>
    public TimeSpan? MaxPollingInterval { get; set; }

    /// <summary>The first idle wait (100 ms unless set); a test sets it to the maximum to isolate the fast path.</summary>
    public TimeSpan? MinPollingInterval { get; set; }

    /// <summary>Overrides host.json's visibilityTimeout (the wait before a failed message is retried).</summary>
    public TimeSpan? VisibilityTimeout { get; set; }

    /// <summary>
    /// How long a received message stays invisible while its function runs; renewed at half-time so a long run
    /// is never handed to a second invocation (the host uses 10 minutes too).
    /// </summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest back-off while storage is unreachable.</summary>
    public TimeSpan MaxStorageRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The handler that reaches this app's invocation endpoints; by default the Kestrel loopback address, or the
    /// in-memory test server's handler.
    /// </summary>
    public Func<IServiceProvider, HttpMessageHandler>? InvocationHandler { get; set; }

    public QueueTriggerSettings QueueSettings(QueueTriggerSettings declared) => declared with
    {
        MaxPollingInterval = MaxPollingInterval ?? declared.MaxPollingInterval,
        VisibilityTimeout = VisibilityTimeout ?? declared.VisibilityTimeout,
    };
}
