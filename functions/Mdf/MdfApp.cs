using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Functions.Hosting;
using Tcma.Storage.Mdf;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Mdf;

/// <summary>MDF programs, fund requests, approvals from email and claims: services, the command queue's function, endpoints.</summary>
public static class MdfApp
{
    public const string ResumeFunction = "MdfResume";
    /// <summary>Every five minutes: submissions a crash interrupted are finished within minutes.</summary>
    public const string ResumeSchedule = "0 */5 * * * *";
    /// <summary>Long enough that a submission still in flight is never started twice over (it would be a no-op anyway).</summary>
    public static readonly TimeSpan ResumeAfter = TimeSpan.FromMinutes(2);

    public static WebApplicationBuilder AddMdf(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MdfOptions>().BindConfiguration(MdfOptions.Section);
        services.TryAddSingleton<FundLedgerStore>();
        services.TryAddSingleton<PayoutStore>();
        services.AddSingleton<MdfProgramStore>();
        services.AddSingleton<MdfProgramService>();
        services.AddSingleton<MdfRequestIndex>();
        services.AddSingleton<MdfLinks>();
        services.AddSingleton<MdfCommandTranslator>();
        services.AddSingleton<MdfService>();
        services.AddWorkflow<FundRequestDefinition>();
        services.AddWorkflow<ClaimDefinition>();
        services.AddFunction(new FunctionDefinition(MdfCommandFunctions.Name, new QueueFunctionTrigger(MdfCommandTranslator.Queue), MdfCommandFunctions.HandleAsync));
        services.AddFunction(new FunctionDefinition(ResumeFunction, new TimerFunctionTrigger(ResumeSchedule), (_, sp, ct) =>
            sp.GetRequiredService<MdfService>().ResumeAsync(ResumeAfter, ct)));
        return builder;
    }

    public static WebApplication MapMdf(this WebApplication app)
    {
        app.MapMdfPrograms();
        app.MapMdfPartnerApi();
        app.MapMdfVendorApi();
        app.MapMdfActions();
        app.MapMdfPartnerPage();
        return app;
    }
}
