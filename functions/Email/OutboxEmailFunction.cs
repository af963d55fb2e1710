using System.Text.Json;
using Tcma.Email;
using Tcma.Email.Outbox;
using Tcma.Functions.Hosting;

namespace Tcma.Functions.Email;

/// <summary>
/// The <c>email-outbox</c> queue function: sends the emails that launches (invitations) and syndication (partner
/// notices) queue through <see cref="EmailOutbox"/>. Its own folder, like <c>shared/Tcma.Email</c> and the Email
/// tests, because it serves several capabilities and belongs to none of them.
/// </summary>
public static class OutboxEmailFunction
{
    public const string FunctionName = "OutboxEmail";

    public static WebApplicationBuilder AddEmailOutbox(this WebApplicationBuilder builder)
    {
        builder.Services.AddTcmaEmail();
        builder.Services.AddFunction(new FunctionDefinition(FunctionName, new QueueFunctionTrigger(QueuedEmail.Queue), HandleAsync));
        return builder;
    }

    /// <summary>
    /// A message that is not a QueuedEmail, has no key, is too big or carries an address or header SMTP could never
    /// take throws InvalidDataException: the host's five immediate retries (visibilityTimeout 0, about a second) fail
    /// the same way and move it to <c>email-outbox-poison</c>, with the reason logged each time; nothing is sent.
    /// A redelivery of a sent email does nothing; SMTP trouble is retried by the dispatcher with its own back-off.
    /// </summary>
    internal static async Task HandleAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        var queued = invocation.ReadMessage<QueuedEmail>();
        var outcome = await services.GetRequiredService<OutboxEmailDispatcher>().SendAsync(queued!, ct);
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OutboxEmailFunction)).LogDebug("Outbox email: {Outcome}", outcome);
    }
}
