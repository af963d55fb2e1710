using Tcma.Functions.Dashboards;
using Tcma.Functions.Deals;
using Tcma.Functions.Email;
using Tcma.Functions.Hosting;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Functions.Launches;
using Tcma.Functions.Leads;
using Tcma.Functions.Mdf;
using Tcma.Functions.Operations;
using Tcma.Functions.Partners;
using Tcma.Functions.Portal;
using Tcma.Functions.Rendering;
using Tcma.Functions.Syndication;
using Tcma.Functions.Web;
using Tcma.Syndication;

namespace Tcma.Functions;

/// <summary>The composition root: each capability adds its services and maps its functions and endpoints.</summary>
public static class TcmaApp
{
    public static WebApplicationBuilder AddTcma(this WebApplicationBuilder builder)
    {
        builder.AddPublicBaseUrl();
        builder.AddFunctionHost();
        builder.AddOperations();
        builder.AddWorkflows();
        builder.AddEmailOutbox();
        builder.AddIdentity();
        builder.AddWeb();
        builder.Services.AddSyndication(builder.Environment);
        builder.AddRendering();
        builder.AddSampleData();
        builder.AddKits();
        builder.AddLeads();
        builder.AddLeadRouting();
        builder.AddLandingPages();
        builder.AddLeadImports();
        builder.AddCrmWebhooks();
        builder.AddLeadErasure();
        builder.AddPartners();
        builder.AddMdf();
        builder.AddCampaignMail();
        builder.AddMdfPayouts();
        builder.AddMdfExpiry();
        builder.AddMdfRoi();
        builder.AddDeals();
        builder.AddSocialPublishing();
        builder.AddLaunches();
        builder.AddPartnerPortal();
        builder.AddDashboards();
        return builder;
    }

    public static WebApplication MapTcma(this WebApplication app)
    {
        app.MapFunctionHost();
        app.MapOperations();
        app.MapIdentity();
        app.MapWeb();
        app.MapRendering();
        app.MapKits();
        app.MapLeads();
        app.MapDashboards();
        app.MapLeadRouting();
        app.MapLandingPages();
        app.MapLeadImports();
        app.MapCrmWebhooks();
        app.MapLeadErasure();
        app.MapPartners();
        app.MapMdf();
        app.MapCampaignMail();
        app.MapMdfPayouts();
        app.MapMdfExpiry();
        app.MapMdfRoi();
        app.MapDeals();
        app.MapSocialAccounts();
        app.MapLaunches();
        app.MapPartnerPortal();
        return app;
    }
}
