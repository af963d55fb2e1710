using Tcma.Functions.Kits;
using Tcma.Storage;
using Tcma.Domain.Launches;
using Tcma.Storage.Identity;
using Tcma.Storage.Launches;
using Tcma.Storage.Leads;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;
using Tcma.Storage.Rendering;
using Tcma.Storage.Syndication;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Operations;

/// <summary>
/// The tables, queues and containers the app needs, by logical name. infra/main.bicep declares the same
/// lists (a test keeps them in step); <see cref="StorageProvisioner"/> creates them where Bicep did not run
/// (Azurite, a fresh dev account). Add a name here and in the Bicep parameters together.
/// </summary>
public static class StorageResources
{
    public static readonly IReadOnlyList<string> Tables =
    [
        WorkflowEngine.InstancesTable, WorkflowEngine.DueTable, IdempotencyStore.TableName,
        ApiKeyStore.TableName, TokenUseStore.TableName, VendorUserStore.TableName, BrandProfileStore.TableName,
        FundLedgerStore.TableName,
        KitIndex.TableName,
        LeadStore.LeadsTable, LeadStore.EmailsTable,
        LeadRoutingStore.TableName,
        PartnerDirectory.TableName,
        CampaignSendLog.TableName, SuppressionList.TableName, ClickTracking.LinksTable, ClickTracking.ClicksTable,
        CampaignEngagementStore.TableName,
        PayoutStore.TableName,
        ExpiryStore.TableName,
        SocialAccountStore.TableName, SocialPostLog.TableName,
        RateLimitStore.TableName,
        Tcma.Functions.Leads.LeadImports.TableName,
        CrmWebhookStore.ConfigTable, CrmWebhookStore.DeliveriesTable, CrmWebhookStore.LogTable,
        ErasureStore.TableName,
        MdfProgramStore.TableName, MdfRequestIndex.TableName,
        LaunchStore.TableName,
        Tcma.Email.Outbox.OutboxEmailLog.TableName,
        PartnerContactIndex.TableName, PartnerSessionStore.TableName,
        Tcma.Storage.Dashboards.DashboardCounterStore.TableName,
        Tcma.Storage.Deals.DealRulesStore.TableName, Tcma.Storage.Deals.ClaimStore.TableName, Tcma.Storage.Deals.CustomerIndex.TableName,
        Tcma.Storage.Deals.DealList.TableName, Tcma.Storage.Deals.AttributionStore.TableName,
    ];

    public static readonly IReadOnlyList<string> Queues =
    [
        "workflow-timers", "render-requests", "leads-captured", "email-outbox", KitIndex.RecallQueue,
        Tcma.Domain.Launches.CampaignEmail.Queue,
        Tcma.Domain.Launches.SocialPostDue.Queue,
        "leads-route", "leads-sync",
        Tcma.Domain.Leads.CrmNotification.Queue,
        Tcma.Functions.Mdf.MdfCommandTranslator.Queue,
        LaunchWork.Queue,
        Tcma.Functions.Identity.PartnerSignIn.Queue,
        Tcma.Functions.Deals.DealRegistrationDefinition.Queue,
    ];

    public static readonly IReadOnlyList<string> Containers =
        [PayloadStore.DefaultContainer, KitVersionFiles.Container, RenderStore.Container, BrandProfileStore.LogoContainer, "proofs",
        Tcma.Functions.Leads.LeadImports.Container, LaunchStore.ContactsContainer];

    /// <summary>Each queue with its poison queue, where the Functions host moves a message after its last failed attempt.</summary>
    public static IEnumerable<string> QueuesWithPoison => Queues.SelectMany(q => new[] { q, PoisonQueue(q) });

    public static string PoisonQueue(string queue) => $"{queue}-poison";
}
