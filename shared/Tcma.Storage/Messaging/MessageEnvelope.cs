using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Tcma.Storage.Messaging;

/// <summary>
/// What <see cref="QueueMessageSender"/> puts on a queue: the JSON message plus the W3C trace context, or, for a
/// message too big for a queue, a reference to the blob that holds it. Storage queues have no message headers,
/// so the trace context has to travel in the body; the invocation endpoint unwraps it before the handler runs.
/// A message without the marker (sent by something else) is handed over as it is.
/// </summary>
public sealed record MessageEnvelope(string? TraceParent, string? TraceState, string? Body, string? BlobName)
{
    /// <summary>Queue messages are at most 64 KiB once Base64-encoded: 48 KiB of text before encoding.</summary>
    public const int MaxInlineBytes = 48 * 1024;

    /// <summary>The container (logical name) holding message bodies too big for a queue.</summary>
    public const string PayloadContainer = "queue-payloads";

    private const string Marker = "tcma";

    public static string Inline(string bodyJson, string? traceParent, string? traceState)
        => Write(traceParent, traceState, w => w.WriteRawValue(bodyJson, skipInputValidation: true), "body");

    public static string ForBlob(string blobName, string? traceParent, string? traceState)
        => Write(traceParent, traceState, w => w.WriteStringValue(blobName), "blob");

    private static string Write(string? traceParent, string? traceState, Action<Utf8JsonWriter> value, string property)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber(Marker, 1);
            if (traceParent is not null) writer.WriteString("traceparent", traceParent);
            if (!string.IsNullOrEmpty(traceState)) writer.WriteString("tracestate", traceState);
            writer.WritePropertyName(property);
            value(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads an envelope; false for any other text, which is then the message itself.</summary>
    public static bool TryRead(string text, out MessageEnvelope envelope)
    {
        envelope = null!;
        if (text.Length == 0 || text[0] != '{') return false;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (!root.TryGetProperty(Marker, out var marker) || marker.ValueKind != JsonValueKind.Number || marker.GetInt32() != 1) return false;
            string? Text(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var body = root.TryGetProperty("body", out var b) ? b.GetRawText() : null;
            var blob = Text("blob");
            if (body is null && blob is null) return false;
            envelope = new MessageEnvelope(Text("traceparent"), Text("tracestate"), body, blob);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
