using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;
using Tcma.Domain.Partners;
using Tcma.Storage.Deals;
using Tcma.Storage.Partners;

namespace Tcma.Functions.Deals;

/// <summary>
/// The demo's deal registrations (Development only, vendor <c>demo</c> of <c>./tcma run</c>): rules of engagement, if
/// none are published, and eight registrations by the first eight active partners (by id), made through
/// <see cref="DealService"/> as partners and the approver would. Some wait for approval, some are approved (one won,
/// one lost), and one registers a customer another partner registered first, so it waits behind that one.
/// The approver is the development sign-in's default user, so what waits, waits for whoever signs in.
/// </summary>
/// <remarks>
/// Every step is idempotent: each registration has a stable idempotency key (so a second run finds it rather than
/// registering it again), and each decision is taken only from the state that needs it, so a restart finishes what is
/// missing, repeats nothing and never overrides what someone did by hand since (approving the waiting ones, say).
/// </remarks>
public sealed class DealDemo(DealService deals, DealRulesStore rules, PartnerDirectory partners, TimeProvider clock, ILogger<DealDemo> logger)
{
    public const string Approver = "you@demo.example";
    public const string PublishedBy = "demo";

    /// <summary>What the demo makes of a registration once it is in.</summary>
    private enum Fate { WaitsForApproval, Approved, Won, Lost, SecondForTheSameCustomer }

    /// <summary>One demo registration: the customer, the deal, and what becomes of it.</summary>
    private sealed record Plan(string Key, string Company, string Website, string Country, string Contact, string Email, string[] Products,
        decimal Value, int CloseInDays, string Notes, Fate Fate, DealStage Stage = DealStage.Registered, decimal? WonFor = null, string? LostBecause = null);

    /// <summary>In submission order: the second registration of Northwind comes after the first, so it finds it undecided.</summary>
    private static readonly IReadOnlyList<Plan> Plans =
    [
        new("demo-deal-1", "Northwind Traders", "northwind-traders.example", "DE", "Klara Weiss", "klara.weiss@northwind-traders.example",
            ["firewall"], 120_000m, 75, "Replacing two ageing firewalls at the Hamburg and Munich warehouses.", Fate.WaitsForApproval),
        new("demo-deal-2", "Fabrikam Inc", "fabrikam.example", "CA", "Liam Tremblay", "liam.tremblay@fabrikam.example",
            ["cloud-backup", "endpoint-security"], 48_000m, 60, "Moving 400 laptops to managed backup and endpoint protection.", Fate.WaitsForApproval),
        new("demo-deal-3", "Contoso Pharmaceuticals", "contoso-pharma.example", "DE", "Mira Schneider", "mira.schneider@contoso-pharma.example",
            ["endpoint-security"], 260_000m, 120, "Group-wide endpoint security tender; we are on the shortlist.", Fate.Approved, DealStage.Qualified),
        new("demo-deal-4", "Adventure Works Cycles", "adventure-works.example", "CA", "Noah Gagnon", "noah.gagnon@adventure-works.example",
            ["cloud-backup"], 75_000m, 30, "Offsite backup for the factory's ERP after a ransomware scare.", Fate.Won, WonFor: 68_500m),
        new("demo-deal-5", "Litware Inc", "litware.example", "GB", "Olivia Price", "olivia.price@litware.example",
            ["firewall"], 35_000m, 45, "Firewall refresh for three branch offices.", Fate.Lost, LostBecause: "The customer kept its current firewall vendor for another year."),
        new("demo-deal-6", "Northwind Traders", "northwind-traders.example", "DE", "Paul Becker", "paul.becker@northwind-traders.example",
            ["firewall"], 95_000m, 90, "Met their IT lead at our security webinar.", Fate.SecondForTheSameCustomer),
        new("demo-deal-7", "Tailspin Toys", "tailspin-toys.example", "US", "Quinn Rivera", "quinn.rivera@tailspin-toys.example",
            ["cloud-backup", "firewall"], 90_000m, 100, "New head office in Seattle: backup and perimeter in one project.", Fate.Approved, DealStage.Proposal),
        new("demo-deal-8", "Woodgrove Bank", "woodgrove-bank.example", "US", "Rosa Martinez", "rosa.martinez@woodgrove-bank.example",
            ["firewall", "endpoint-security"], 1_250_000m, 180, "Security programme for 60 branches; the board decides next quarter.", Fate.WaitsForApproval),
    ];

    public async Task SeedAsync(string vendorId, CancellationToken ct)
    {
        var inForce = await rules.CurrentAsync(vendorId, ct);
        if (inForce is null)
        {
            var demoRules = Rules();
            if (demoRules.Check() is { Count: > 0 } problems)
                throw new InvalidOperationException("The demo rules of engagement are not valid: " + string.Join(" ", problems.Select(p => p.Message)));
            // Another start publishing at the same moment is fine: its version is the one in force.
            inForce = (await deals.PublishAsync(vendorId, demoRules, 0, PublishedBy, ct)).Current;
        }

        var active = (await partners.ListAsync(vendorId, ct: ct)).Where(p => p.Partner.Status == PartnerStatus.Active)
            .Select(p => p.Partner.Id).Order(StringComparer.Ordinal).ToList();
        var today = Days.Of(clock.GetUtcNow());
        var approver = new Actor("dev:" + Approver);
        var states = new List<DealState>();
        foreach (var (plan, partnerId) in Plans.Zip(active))
        {
            var partner = new Actor($"partner:{partnerId}", partnerId);
            var submitted = await deals.SubmitAsync(vendorId, partnerId, Input(plan, today), partner, plan.Key, ct);
            // A registration refused under the rules still has its state (that shows too); no state means it was never made.
            if (submitted.State is not { } deal)
            {
                logger.LogWarning("Demo registration {Key} of {Partner} refused: {Refusals}", plan.Key, partnerId, string.Join("; ", submitted.Refusals.Select(r => r.Message)));
                continue;
            }
            if (plan.Fate is Fate.Approved or Fate.Won or Fate.Lost)
            {
                if (deal.Status == DealStatus.PendingApproval)
                    deal = await ActAsync(vendorId, deal, new ApproveDeal(deal.Step, approver), $"demo-approve-{deal.RegistrationId}", ct);
                if (deal.Status == DealStatus.Approved && deal.Stage < plan.Stage)
                    deal = await ActAsync(vendorId, deal, new ChangeDealStage(plan.Stage, partner), $"demo-stage-{plan.Stage}-{deal.RegistrationId}", ct);
                if (deal.Status == DealStatus.Approved && plan is { Fate: Fate.Won, WonFor: { } amount })
                    deal = await ActAsync(vendorId, deal, new MarkDealWon(Money.Of(amount, Currency.USD), partner), $"demo-won-{deal.RegistrationId}", ct);
                if (deal.Status == DealStatus.Approved && plan is { Fate: Fate.Lost, LostBecause: { } reason })
                    deal = await ActAsync(vendorId, deal, new MarkDealLost(reason, partner), $"demo-lost-{deal.RegistrationId}", ct);
            }
            states.Add(deal);
        }
        if (active.Count < Plans.Count)
            logger.LogWarning("Demo deals for {Vendor}: only {Partners} active partners, so {Missing} registrations were left out", vendorId, active.Count, Plans.Count - active.Count);
        var counts = states.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {ConflictCheck.Words(g.Key)}");
        logger.LogInformation("Demo deals for {Vendor}: rules of engagement v{Version}; {Registrations} registrations: {Counts}",
            vendorId, inForce?.Version, states.Count, string.Join(", ", counts));
    }

    private async Task<DealState> ActAsync(string vendorId, DealState deal, DealEvent e, string eventId, CancellationToken ct)
    {
        var outcome = await deals.ActAsync(vendorId, deal.RegistrationId, e, eventId, ct);
        if (outcome.Refusals.Count > 0)
            logger.LogWarning("Demo {Event} on {Registration} refused: {Refusals}", e.GetType().Name, deal.RegistrationId, string.Join("; ", outcome.Refusals.Select(r => r.Message)));
        return outcome.State ?? deal;
    }

    /// <summary>As the partner's form sends it; the close date is ahead of today, whatever day the demo starts.</summary>
    private static RegistrationInput Input(Plan plan, DateOnly today) => new()
    {
        CompanyName = plan.Company, Website = plan.Website, Country = plan.Country, ContactName = plan.Contact, ContactEmail = plan.Email,
        Products = plan.Products, EstimatedValue = plan.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), Currency = "USD",
        ExpectedClose = today.AddDays(plan.CloseInDays).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        FoundVia = "prospecting", Notes = plan.Notes,
    };

    public static RulesOfEngagement Rules()
    {
        var me = new Tcma.Domain.Mdf.Approver("dev:" + Approver, "You (demo)", Approver);
        var deputy = new Tcma.Domain.Mdf.Approver("dev:deputy@demo.example", "Deputy (demo)", "deputy@demo.example");
        return new RulesOfEngagement
        {
            ProtectionDays = 90,
            ExtensionDays = 30,
            Winner = ConflictWinner.FirstRegistered,
            QueueBehindPending = true,
            DealSizes = [new(Money.Of(5_000m, Currency.USD), Money.Of(5_000_000m, Currency.USD))],
            Products = [new("cloud-backup", "Cloud Backup"), new("firewall", "Next-Gen Firewall"), new("endpoint-security", "Endpoint Security")],
            Benefits = "an extra 10% discount on the registered products, and our presales engineer for the customer's proof of concept",
            Approval = new([new(1, "Channel manager", ApproverRole.ChannelManager, Money.Of(0m, Currency.USD), me, deputy)]),
            ReminderAfterDays = 2,
            EscalationAfterDays = 4,
            DecisionDays = 10,
        };
    }
}
