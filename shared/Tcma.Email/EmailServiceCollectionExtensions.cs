using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Email.Outbox;
using Tcma.Storage.Workflows;

namespace Tcma.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>SMTP sending, configured from the <c>Email</c> section; also the sender workflow outboxes use, and the email outbox.</summary>
    public static IServiceCollection AddTcmaEmail(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section);
        services.TryAddSingleton<IEmailSender, SmtpEmailSender>();
        services.TryAddSingleton<IWorkflowEmailSender, WorkflowEmailSender>();
        services.AddOptions<EmailOutboxOptions>().BindConfiguration(EmailOutboxOptions.Section);
        services.TryAddSingleton<EmailOutbox>();
        services.TryAddSingleton<OutboxEmailLog>();
        services.TryAddSingleton<OutboxEmailDispatcher>();
        return services;
    }
}
