using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Functions.Hosting;
using Tcma.Storage.Mdf;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Mdf;

/// <summary>MDF programs, fund requests, approvals from email and claims: services, the command queue's function, endpoints.</summary>
public static class MdfApp
{
    public static WebApplicationBuilder AddMdf(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MdfOptions>().BindConfiguration(MdfOptions.Section);
        services.TryAddSingleton<FundLedgerStore>();
        services.TryAddSingleton<PayoutStore>();
        services.AddSingleton<MdfProgramStore>();
        services.AddSingleton<MdfRequestIndex>();
        services.AddSingleton<MdfLinks>();
        services.AddSingleton<MdfCommandTranslator>();
        services.AddSingleton<MdfService>();
        services.AddWorkflow<FundRequestDefinition>();
        services.AddWorkflow<ClaimDefinition>();
        services.AddFunction(new FunctionDefinition(MdfCommandFunctions.Name, new QueueFunctionTrigger(MdfCommandTranslator.Queue), MdfCommandFunctions.HandleAsync));
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
