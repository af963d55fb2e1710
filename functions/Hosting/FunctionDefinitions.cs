using System.Text.Json.Nodes;

namespace Tcma.Functions.Hosting;

/// <summary>
/// One function of the app, declared once in code. <c>host.json</c> and <c>&lt;Name&gt;/function.json</c>
/// are generated from these declarations, and the local trigger host reads the same ones.
/// </summary>
public sealed record FunctionDefinition(string Name, FunctionTrigger Trigger, FunctionHandler? Handler)
{
    public bool IsHttp => Trigger is HttpFunctionTrigger;
}

public abstract record FunctionTrigger;

/// <summary>A queue trigger. The message arrives Base64-encoded (the host's default) and is handed over decoded.</summary>
public sealed record QueueFunctionTrigger(string Queue, string BindingName = "message") : FunctionTrigger;

/// <summary>A timer trigger with a six-field NCRONTAB schedule (seconds first).</summary>
public sealed record TimerFunctionTrigger(string Schedule, bool RunOnStartup = false, string BindingName = "timer") : FunctionTrigger;

/// <summary>
/// An HTTP trigger forwarded as the raw request (enableForwardingHttpRequest). The route is relative to the
/// host's route prefix, which we set to empty, so the app's own paths are served unchanged.
/// </summary>
public sealed record HttpFunctionTrigger(string Route, IReadOnlyList<string> Methods) : FunctionTrigger;

/// <summary>What a non-HTTP function receives: the trigger payload and the host's metadata, as the host sends them.</summary>
public sealed record FunctionInvocation(string FunctionName, string InvocationId, JsonNode? TriggerData, JsonObject Metadata)
{
    /// <summary>The trigger payload as text: a queue message's decoded content.</summary>
    public string TriggerText => TriggerData switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var node => node.ToJsonString(),
    };

    public int DequeueCount => Metadata["DequeueCount"] is JsonNode n && int.TryParse(n.ToString(), out var c) ? c : 1;

    /// <summary>
    /// The queue message as the sender's type (the JSON that <c>IMessageSender</c> wrote). A message that is not that
    /// type's JSON throws <see cref="InvalidDataException"/> with the reason: the host retries it, then moves it to the
    /// poison queue with that reason logged, which is what every queue function wants for a malformed message.
    /// </summary>
    public T? ReadMessage<T>(System.Text.Json.JsonSerializerOptions? options = null)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<T>(TriggerText, options);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"the {FunctionName} message is not a {typeof(T).Name} in JSON: {e.Message}", e);
        }
    }
}

public delegate Task FunctionHandler(FunctionInvocation invocation, IServiceProvider services, CancellationToken cancellationToken);
