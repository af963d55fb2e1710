using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tcma.Email;
using Tcma.Email.Outbox;
using Tcma.FunctionalTests.Infrastructure;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Tcma.Storage.Messaging;

namespace Tcma.FunctionalTests.Email;

/// <summary>
/// The email outbox through the real queue, the local trigger host, the OutboxEmail function, Azurite and maildev:
/// one email per key whatever is enqueued or redelivered, an SMTP outage delays and never loses or doubles, and a
/// message that could never be sent lands in <c>email-outbox-poison</c> with its reason logged.
/// </summary>
public sealed class EmailOutboxTests
{
    private static string Unique(string who) => $"{who}-{Guid.NewGuid():N}@example.test";

    private static EmailMessage Message(string to) => new(to, "Your invitation", "Plain words.", "<p>Rich words</p>") { ToName = "Pat" };

    private static async Task<OutboxEmailRecord> WaitForRecordAsync(TcmaAppFactory app, string key, Func<OutboxEmailRecord, bool> done)
    {
        var log = app.Services.GetRequiredService<OutboxEmailLog>();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var stored = await log.GetAsync(key);
            if (stored is not null && done(stored.Record)) return stored.Record;
            if (DateTime.UtcNow > until) throw new TimeoutException($"outbox record {key}: {stored?.Record}");
            await Task.Delay(200);
        }
    }

    private static async Task<IReadOnlyList<string>> WaitForPoisonAsync(TcmaAppFactory app, int count)
    {
        var poison = new QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{QueuedEmail.Queue}-poison");
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await poison.CreateIfNotExistsAsync();
            var bodies = (await poison.PeekMessagesAsync(32)).Value.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString()))).ToList();
            if (bodies.Count >= count || DateTime.UtcNow > until) return bodies;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task The_same_key_enqueued_twice_sends_one_email_with_the_keys_Message_ID_and_a_redelivery_after_sent_sends_nothing()
    {
        await using var app = await TcmaAppFactory.StartAsync(overrides: OutboxTestSupport.FastRetries());
        var outbox = app.Services.GetRequiredService<EmailOutbox>();
        var to = Unique("twice");
        var key = $"test:{Guid.NewGuid():N}";

        await Task.WhenAll(outbox.EnqueueAsync(Message(to), key), outbox.EnqueueAsync(Message(to), key));

        var received = Assert.Single(await app.Inbox.WaitForAsync(to));
        var from = app.Services.GetRequiredService<IOptionsMonitor<EmailOptions>>().CurrentValue.From;
        Assert.Contains($"<{EmailMessage.StableMessageId(key, from)}>", await app.Inbox.SourceAsync(received.Id));
        await OutboxTestSupport.WaitForDrainedAsync(app);
        var sent = await WaitForRecordAsync(app, key, r => r.State == OutboxEmailState.Sent);
        Assert.Equal(1, sent.Attempts);

        // The host delivering the message once more (at least once means sometimes twice): nothing new.
        await app.Services.GetRequiredService<IMessageSender>().SendAsync(QueuedEmail.Queue, new QueuedEmail(key, Message(to)));
        await OutboxTestSupport.WaitForDrainedAsync(app);
        Assert.Single(await app.Inbox.ToAsync(to));
        Assert.Equal(1, (await WaitForRecordAsync(app, key, r => r.State == OutboxEmailState.Sent)).Attempts);

        // A different key to the same person is a different email.
        await outbox.EnqueueAsync(Message(to), key + ":other");
        Assert.Equal(2, (await app.Inbox.WaitForAsync(to, 2)).Count);
    }

    [Fact]
    public async Task A_live_lease_holds_a_redelivery_back_and_a_lease_a_crash_left_is_taken_over_with_the_same_Message_ID()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock, OutboxTestSupport.FastRetries());
        var log = app.Services.GetRequiredService<OutboxEmailLog>();
        var to = Unique("crashed");
        var key = $"test:{Guid.NewGuid():N}";
        // What a delivery that died inside SMTP leaves: "Sending", its lease running for another minute.
        var from = app.Services.GetRequiredService<IOptionsMonitor<EmailOptions>>().CurrentValue.From;
        Assert.NotNull(await log.TryWriteAsync(new OutboxEmailRecord(key, OutboxEmailState.Sending, 1, clock.GetUtcNow())
        {
            LeaseUntil = clock.GetUtcNow().AddMinutes(1), MessageId = EmailMessage.StableMessageId(key, from),
        }, default));

        await app.Services.GetRequiredService<EmailOutbox>().EnqueueAsync(Message(to), key);

        // While the lease runs the message only looks again (every second here), and sends nothing.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(await app.Inbox.ToAsync(to));
        Assert.Equal(1, (await log.GetAsync(key))!.Record.Attempts);

        clock.Advance(TimeSpan.FromMinutes(2));
        var received = Assert.Single(await app.Inbox.WaitForAsync(to));
        Assert.Contains($"<{EmailMessage.StableMessageId(key, from)}>", await app.Inbox.SourceAsync(received.Id));
        var sent = await WaitForRecordAsync(app, key, r => r.State == OutboxEmailState.Sent);
        Assert.Equal(2, sent.Attempts);
        await OutboxTestSupport.WaitForDrainedAsync(app);
        Assert.Single(await app.Inbox.ToAsync(to));
    }

    [Fact]
    public async Task SMTP_down_keeps_the_email_retrying_and_when_it_is_back_the_email_arrives_once()
    {
        var mail = await LocalServices.MailDev();
        await using var app = await TcmaAppFactory.StartAsync(overrides: OutboxTestSupport.FastRetries(("Email:SmtpPort", LocalServices.FreePort().ToString())));
        var to = Unique("outage");
        var key = $"test:{Guid.NewGuid():N}";

        await app.Services.GetRequiredService<EmailOutbox>().EnqueueAsync(Message(to), key);

        var retrying = await WaitForRecordAsync(app, key, r => r.State == OutboxEmailState.Retrying && r.Attempts >= 2);
        Assert.False(string.IsNullOrEmpty(retrying.LastError));
        Assert.Empty(await app.Inbox.ToAsync(to));

        OutboxTestSupport.Reconfigure(app, "Email:SmtpPort", mail.SmtpPort.ToString());
        Assert.Single(await app.Inbox.WaitForAsync(to));
        var sent = await WaitForRecordAsync(app, key, r => r.State == OutboxEmailState.Sent);
        Assert.True(sent.Attempts > retrying.Attempts);
        await OutboxTestSupport.WaitForDrainedAsync(app);
        Assert.Single(await app.Inbox.ToAsync(to));
    }

    [Fact]
    public async Task SMTP_down_for_longer_than_the_retry_window_ends_failed_in_the_poison_queue_with_the_reason_logged()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock, OutboxTestSupport.FastRetries(("Email:SmtpPort", LocalServices.FreePort().ToString()), ("Email:Outbox:RetryFor", "02:00:00")));
        var logs = new Logs();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var to = Unique("given-up");
        var key = $"test:{Guid.NewGuid():N}";

        await app.Services.GetRequiredService<EmailOutbox>().EnqueueAsync(Message(to), key);
        await WaitForRecordAsync(app, key, r => r.State == OutboxEmailState.Retrying);
        clock.Advance(TimeSpan.FromHours(3));

        var failed = await WaitForRecordAsync(app, key, r => r.State == OutboxEmailState.Failed);
        Assert.Contains("failed 2 times", failed.LastError);
        var poisoned = Assert.Single(await WaitForPoisonAsync(app, 1));
        Assert.Contains(key, poisoned);
        Assert.Contains(logs.Lines, l => l.Contains("-poison") && l.Contains("OutboxEmail"));
        Assert.Contains(logs.Lines, l => l.Contains("failed 2 times since"));
        Assert.Empty(await app.Inbox.ToAsync(to));
    }

    [Fact]
    public async Task Malformed_keyless_oversized_and_unsendable_messages_go_to_the_poison_queue_with_the_reason_and_nothing_is_sent()
    {
        await using var app = await TcmaAppFactory.StartAsync(overrides: OutboxTestSupport.FastRetries());
        var logs = new Logs();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var outbox = app.Services.GetRequiredService<EmailOutbox>();
        var sender = app.Services.GetRequiredService<IMessageSender>();
        var (keyless, huge, badHeader) = (Unique("keyless"), Unique("huge"), Unique("header"));
        var oversized = new EmailMessage(huge, "Too big", "x", new string('x', QueuedEmail.MaxBodyChars + 1));
        var injected = Message(badHeader) with { Headers = new Dictionary<string, string> { ["X-Note"] = "a\r\nBcc: everyone@example.test" } };

        // The outbox refuses them at once, so a caller hears it instead of a poison queue.
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.EnqueueAsync(Message(keyless), " "));
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.EnqueueAsync(oversized, "test:huge"));
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.EnqueueAsync(injected, "test:header"));

        // Put on the queue by something else all the same: poisoned, each with its reason.
        var raw = new QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{QueuedEmail.Queue}", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await raw.SendMessageAsync("{\"Key\": \"test:broken\", ");
        await sender.SendAsync(QueuedEmail.Queue, new QueuedEmail("", Message(keyless)));
        await sender.SendAsync(QueuedEmail.Queue, new QueuedEmail($"test:{Guid.NewGuid():N}", oversized)); // over 48 KiB: travels as a blob
        await sender.SendAsync(QueuedEmail.Queue, new QueuedEmail($"test:{Guid.NewGuid():N}", injected));

        var poisoned = await WaitForPoisonAsync(app, 4);
        Assert.Equal(4, poisoned.Count);
        Assert.Contains("{\"Key\": \"test:broken\", ", poisoned);
        foreach (var reason in new[] { "not a QueuedEmail in JSON", "has no key", "over " + QueuedEmail.MaxBodyChars, "line breaks" })
            Assert.Contains(logs.Lines, l => l.Contains(reason));
        Assert.Empty(await app.Inbox.ToAsync(keyless));
        Assert.Empty(await app.Inbox.ToAsync(huge));
        Assert.Empty(await app.Inbox.ToAsync(badHeader));
    }

    /// <summary>Log lines with their exception's message: the reason a message is poisoned travels in the exception.</summary>
    private sealed class Logs : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(Logs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception?.Message}");
        }
    }
}
