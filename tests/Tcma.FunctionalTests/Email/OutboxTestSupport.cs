using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Email.Outbox;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Email;

/// <summary>What tests of the email outbox's callers share: quick retries, switching SMTP, waiting for the queue.</summary>
public static class OutboxTestSupport
{
    /// <summary>Retries after a second instead of 30 s, so an outage a test ends is over quickly.</summary>
    public static Dictionary<string, string?> FastRetries(params (string Key, string Value)[] extra)
    {
        var all = new Dictionary<string, string?>
        {
            ["Email:Outbox:RecheckAfter"] = "00:00:01",
            ["Email:Outbox:FirstRetryDelay"] = "00:00:01",
            ["Email:Outbox:MaxRetryDelay"] = "00:00:02",
            ["Email:Timeout"] = "00:00:05",
        };
        foreach (var (k, v) in extra) all[k] = v;
        return all;
    }

    public static void Reconfigure(TcmaAppFactory app, string key, string value)
    {
        var configuration = (IConfigurationRoot)app.Services.GetRequiredService<IConfiguration>();
        configuration[key] = value;
        configuration.Reload();
    }

    /// <summary>Waits until no message, visible or not, is left on the queue: every delivery has finished.</summary>
    public static async Task WaitForDrainedAsync(TcmaAppFactory app, string queue = QueuedEmail.Queue)
    {
        var client = new QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{queue}");
        await client.CreateIfNotExistsAsync();
        var until = DateTime.UtcNow.AddSeconds(60);
        while ((await client.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{queue} never drained");
            await Task.Delay(200);
        }
    }
}
