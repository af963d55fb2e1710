using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tcma.FunctionalTests.Infrastructure;

/// <summary>Reads what maildev received, over its REST API. Tests filter by their own unique recipient addresses.</summary>
public sealed class MailDevInbox(Uri baseAddress)
{
    private readonly HttpClient http = new() { BaseAddress = baseAddress };

    public async Task<IReadOnlyList<ReceivedEmail>> AllAsync(CancellationToken ct = default)
        => await http.GetFromJsonAsync<List<ReceivedEmail>>("email", ct) ?? [];

    public async Task<IReadOnlyList<ReceivedEmail>> ToAsync(string recipient, CancellationToken ct = default)
        => (await AllAsync(ct)).Where(m => m.To.Any(t => string.Equals(t.Address, recipient, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>Polls until at least <paramref name="count"/> messages reached the recipient, or fails after the timeout.</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> WaitForAsync(string recipient, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var messages = await ToAsync(recipient);
            if (messages.Count >= count) return messages;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"expected {count} email(s) to {recipient} but maildev has {messages.Count}");
            await Task.Delay(100);
        }
    }

    /// <summary>The raw RFC 5322 source, for header assertions.</summary>
    public Task<string> SourceAsync(string id) => http.GetStringAsync($"email/{id}/source");
}

public sealed record ReceivedEmail(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("html")] string? Html,
    [property: JsonPropertyName("from")] IReadOnlyList<MailAddress> From,
    [property: JsonPropertyName("to")] IReadOnlyList<MailAddress> To,
    [property: JsonPropertyName("headers")] Dictionary<string, JsonElement> Headers);

public sealed record MailAddress(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("name")] string? Name);
