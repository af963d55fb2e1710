using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.Benchmarks;

/// <summary>The real app in-process on the benchmark's Azurite (and maildev), under its own name prefix, logging errors only.</summary>
public static class BenchmarkHost
{
    public static WebApplicationFactory<Tcma.Functions.Hosting.FunctionDefinition> Start(
        AzuriteInstance azurite, MailDevInstance? mail = null, bool localTriggerHost = true, IReadOnlyDictionary<string, string>? settings = null)
    {
        // The app's folder is "functions", not its assembly name, so tell the factory where it lives.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TCMA_FUNCTIONS", Path.Combine(RepoPaths.Root, "functions"));
        var factory = new WebApplicationFactory<Tcma.Functions.Hosting.FunctionDefinition>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            b.UseSetting("AzureWebJobsStorage", azurite.ConnectionString);
            b.UseSetting("Storage:NamePrefix", "b" + Guid.NewGuid().ToString("N")[..12]);
            if (mail is not null)
            {
                b.UseSetting("Email:SmtpHost", "127.0.0.1");
                b.UseSetting("Email:SmtpPort", mail.SmtpPort.ToString());
            }
            b.UseSetting("LocalTriggerHost:Enabled", localTriggerHost ? "true" : "false");
            b.UseSetting("Logging:LogLevel:Default", "Error");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>()) b.UseSetting(key, value);
        });
        _ = factory.Server;
        return factory;
    }
}
