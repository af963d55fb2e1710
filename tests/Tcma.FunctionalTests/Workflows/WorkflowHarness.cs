using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Workflows;
using Tcma.Email;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage;
using Tcma.Storage.Workflows;

namespace Tcma.FunctionalTests.Workflows;

/// <summary>
/// The storage, email and workflow services exactly as the app registers them, on the shared Azurite and maildev
/// under a fresh name prefix, with a fake clock. Faster than the whole app and lets a test stop between steps.
/// Two harnesses with the same prefix are two processes sharing one storage account.
/// </summary>
public sealed class WorkflowHarness : IAsyncDisposable
{
    private readonly ServiceProvider services;

    private WorkflowHarness(ServiceProvider services, string prefix, FakeTimeProvider clock, MailDevInbox inbox)
    {
        this.services = services;
        Prefix = prefix;
        Clock = clock;
        Inbox = inbox;
    }

    public string Prefix { get; }
    public FakeTimeProvider Clock { get; }
    public MailDevInbox Inbox { get; }
    public WorkflowEngine Engine => services.GetRequiredService<WorkflowEngine>();
    public StorageAccount Storage => services.GetRequiredService<StorageAccount>();
    public IServiceProvider Services => services;

    public static async Task<WorkflowHarness> StartAsync(FakeTimeProvider? clock = null, string? prefix = null, int? smtpPort = null)
    {
        var azurite = await LocalServices.Azurite();
        var mail = await LocalServices.MailDev();
        prefix ??= "w" + Guid.NewGuid().ToString("N")[..12];
        clock ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = prefix,
            ["Email:SmtpHost"] = "127.0.0.1",
            ["Email:SmtpPort"] = (smtpPort ?? mail.SmtpPort).ToString(),
            ["Email:Timeout"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(clock)
            .AddLogging()
            .AddTcmaEmail()
            .AddWorkflowEngine()
            .AddWorkflow<ApprovalReminderWorkflow>()
            .AddWorkflow<ScriptedWorkflow>()
            .BuildServiceProvider();
        return new WorkflowHarness(services, prefix, clock, mail.Inbox);
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
