using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Storage;
using Tcma.Storage.Messaging;

namespace Tcma.Functions.Hosting;

/// <summary>
/// The custom-handler contract for non-HTTP functions: the Functions host (or our local trigger host) POSTs
/// <c>{"Data": {...}, "Metadata": {...}}</c> to <c>/{FunctionName}</c>; 200 with <c>{"Outputs", "Logs",
/// "ReturnValue"}</c> completes the invocation, anything else fails it and the trigger's retry applies.
/// </summary>
public static class FunctionInvocationEndpoints
{
    /// <summary>
    /// A queue message is at most 64 KiB and a timer payload a few hundred bytes; with metadata, 256 KiB is
    /// far above anything the host sends and far below what could hurt us.
    /// </summary>
    public const int MaxRequestBytes = 256 * 1024;

    public const string InvocationIdHeader = "X-Azure-Functions-InvocationId";
    public const string ActivitySourceName = "Tcma.Functions";
    internal static readonly ActivitySource Source = new(ActivitySourceName);

    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder app, FunctionCatalog catalog)
    {
        foreach (var function in catalog.Invocable)
        {
            app.MapPost("/" + function.Name, (HttpContext context, ILoggerFactory loggers, StorageAccount storage) =>
                    InvokeAsync(function, context, loggers, storage))
                .ExcludeFromDescription()
                // The Functions host calls these on loopback with no identity; no HTTP function route reaches
                // them from outside (FunctionCatalog refuses such a route), so they are anonymous by design.
                .AllowAnonymous()
                .WithMetadata(new HostInvocationEndpoint())
                .WithDisplayName($"Invoke {function.Name}");
            app.MapMethods("/" + function.Name, [HttpMethods.Get, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch, HttpMethods.Head],
                    (HttpContext context) =>
                    {
                        context.Response.Headers.Allow = HttpMethods.Post;
                        return TypedResults.Problem(statusCode: StatusCodes.Status405MethodNotAllowed, title: "Method not allowed",
                            detail: $"{function.Name} is invoked with POST by the Functions host.");
                    })
                .ExcludeFromDescription()
                .AllowAnonymous()
                .WithMetadata(new HostInvocationEndpoint());
        }
        return app;
    }

    internal static async Task<Results<Ok<InvocationReply>, ProblemHttpResult>> InvokeAsync(
        FunctionDefinition function, HttpContext context, ILoggerFactory loggers, StorageAccount storage)
    {
        var logger = loggers.CreateLogger("Tcma.Functions." + function.Name);
        var cancellationToken = context.RequestAborted;
        var invocationId = context.Request.Headers[InvocationIdHeader].FirstOrDefault() is { Length: > 0 } id ? id : Guid.NewGuid().ToString();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["InvocationId"] = invocationId, ["FunctionName"] = function.Name });

        var body = await ReadBodyAsync(context.Request, cancellationToken);
        if (body is null)
            return Problem(StatusCodes.Status413PayloadTooLarge, "Invocation too large", $"An invocation payload is at most {MaxRequestBytes} bytes.");

        var parsed = ParsePayload(function, body);
        if (parsed.Error is not null)
        {
            logger.LogWarning("Rejected a malformed invocation of {FunctionName}: {Reason}", function.Name, parsed.Error);
            return Problem(StatusCodes.Status400BadRequest, "Malformed invocation", parsed.Error);
        }

        var logs = new List<string>();
        var triggerData = parsed.TriggerData;
        ActivityContext parent = default;
        if (function.Trigger is QueueFunctionTrigger && triggerData is not null && MessageEnvelope.TryRead(TextOf(triggerData), out var envelope))
        {
            if (envelope.TraceParent is not null) ActivityContext.TryParse(envelope.TraceParent, envelope.TraceState, out parent);
            var message = envelope.Body;
            if (envelope.BlobName is not null)
            {
                message = await QueueMessageSender.ReadPayloadAsync(storage, envelope.BlobName, cancellationToken);
                if (message is null)
                {
                    logger.LogError("The message body blob {BlobName} of {FunctionName} is missing", envelope.BlobName, function.Name);
                    return Problem(StatusCodes.Status422UnprocessableEntity, "Message body missing", $"The blob '{envelope.BlobName}' holding the message is gone.");
                }
                logs.Add($"Read the message body from blob {envelope.BlobName}.");
            }
            triggerData = JsonValue.Create(message);
        }

        using var activity = Source.StartActivity(function.Name, ActivityKind.Consumer, parent);
        activity?.SetTag("faas.trigger", function.Trigger is TimerFunctionTrigger ? "timer" : "pubsub");
        activity?.SetTag("faas.invocation_id", invocationId);
        activity?.SetTag("faas.name", function.Name);
        if (function.Trigger is QueueFunctionTrigger queue) activity?.SetTag("messaging.destination.name", queue.Queue);

        var invocation = new FunctionInvocation(function.Name, invocationId, triggerData, parsed.Metadata);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await function.Handler!(invocation, context.RequestServices, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested || e is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            logger.LogError(e, "{FunctionName} failed (dequeue count {DequeueCount})", function.Name, invocation.DequeueCount);
            return Problem(StatusCodes.Status500InternalServerError, "Function failed", $"{function.Name} failed; the trigger's retry applies.");
        }
        logs.Add($"{function.Name} completed in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms.");
        return TypedResults.Ok(new InvocationReply(new Dictionary<string, JsonNode?>(), logs, null));
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>Null when the body is over the limit.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxRequestBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxRequestBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    internal sealed record ParsedPayload(JsonNode? TriggerData, JsonObject Metadata, string? Error);

    /// <summary>
    /// The host sends a queue message as a JSON string, or, when the message is itself JSON, sometimes as the
    /// parsed object: both become the message text. A timer binding arrives as an object or as its JSON text.
    /// </summary>
    internal static ParsedPayload ParsePayload(FunctionDefinition function, byte[] body)
    {
        JsonNode? root;
        try
        {
            root = body.Length == 0 ? null : JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return new(null, [], $"The body is not JSON: {e.Message}");
        }
        if (root is not JsonObject payload) return new(null, [], "The body must be a JSON object with \"Data\" and \"Metadata\".");
        if (payload["Data"] is not JsonObject data) return new(null, [], "\"Data\" must be a JSON object keyed by binding name.");
        var metadata = payload["Metadata"] switch
        {
            null => new JsonObject(),
            JsonObject m => (JsonObject)m.DeepClone(),
            _ => null,
        };
        if (metadata is null) return new(null, [], "\"Metadata\" must be a JSON object.");

        var binding = function.Trigger switch
        {
            QueueFunctionTrigger q => q.BindingName,
            TimerFunctionTrigger t => t.BindingName,
            _ => throw new InvalidOperationException("HTTP functions are not invoked through this endpoint."),
        };
        if (!data.TryGetPropertyValue(binding, out var value) || value is null)
            return new(null, metadata, $"\"Data\" has no \"{binding}\" binding.");

        switch (function.Trigger)
        {
            case QueueFunctionTrigger:
                return new(JsonValue.Create(TextOf(value)), metadata, null);
            default:
                if (value is JsonValue jv && jv.TryGetValue<string>(out var json))
                {
                    try { return new(JsonNode.Parse(json), metadata, null); }
                    catch (JsonException) { return new(null, metadata, $"\"{binding}\" is not a timer object."); }
                }
                return new(value.DeepClone(), metadata, null);
        }
    }

    private static string TextOf(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString();
}

/// <summary>The reply the Functions host expects from a custom handler.</summary>
public sealed record InvocationReply(
    [property: JsonPropertyName("Outputs")] Dictionary<string, JsonNode?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] JsonNode? ReturnValue);

/// <summary>Marks the host-only invocation endpoints, which no public HTTP route may reach.</summary>
public sealed class HostInvocationEndpoint;
