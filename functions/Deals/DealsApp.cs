using Tcma.Functions.Hosting;
using Tcma.Storage.Deals;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Deals;

/// <summary>Deal registration under the vendor's rules of engagement, its approvals from email, and revenue attribution.</summary>
public static class DealsApp
{
    public static WebApplicationBuilder AddDeals(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<DealRulesStore>();
        services.AddSingleton<ClaimStore>();
        services.AddSingleton<CustomerIndex>();
        services.AddSingleton<DealList>();
        services.AddSingleton<AttributionStore>();
        services.AddSingleton<DealLinks>();
        services.AddSingleton<DealService>();
        services.AddSingleton<DealAttribution>();
        services.AddSingleton<DealReports>();
        services.AddSingleton<DealDemo>();
        services.AddSingleton<Tcma.Functions.Leads.ICrmPayloadSource, DealCrmPayloads>();
        services.AddWorkflow<DealRegistrationDefinition>();
        services.AddFunction(new FunctionDefinition(DealCommandFunctions.Name, new QueueFunctionTrigger(DealRegistrationDefinition.Queue), DealCommandFunctions.HandleAsync));
        return builder;
    }

    public static WebApplication MapDeals(this WebApplication app)
    {
        app.MapDealApi();
        app.MapDealActions();
        return app;
    }
}
