using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;

namespace Tcma.UnitTests.Deals;

/// <summary>Rules of engagement every deal test starts from: 90 days + 30, first registered, USD and EUR, two approval levels.</summary>
internal static class DealSamples
{
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static Money Usd(decimal amount) => Money.Of(amount, Currency.USD);
    public static Money Eur(decimal amount) => Money.Of(amount, Currency.EUR);

    public static readonly Approver Manager = new("cam-1", "Casey Account", "cam@vendor.test");
    public static readonly Approver ManagerBackup = new("cam-2", "Cory Backup", "cam2@vendor.test");
    public static readonly Approver Director = new("sd-1", "Sam Director", "sd@vendor.test");
    public static readonly Approver DirectorBackup = new("sd-2", "Sky Deputy", "sd2@vendor.test");

    public static readonly Actor PartnerA = new("partner:alpha", "alpha");
    public static readonly Actor PartnerB = new("partner:bravo", "bravo");
    public static readonly Actor Timer = Actor.System("timer");

    public static RulesOfEngagement Rules(int version = 1) => new()
    {
        Version = version,
        PublishedAt = Now.AddDays(-10),
        PublishedBy = "admin@vendor.test",
        ProtectionDays = 90,
        ExtensionDays = 30,
        DealSizes = [new(Usd(10_000m), Usd(50_000_000m)), new(Eur(9_000m), Eur(45_000_000m))],
        Products = [new("backup", "Cloud Backup"), new("firewall", "Next-Gen Firewall"), new("edr", "Endpoint Detection")],
        Benefits = "an extra 10% discount on the registered products",
        Approval = new([
            new(1, "Channel account manager", ApproverRole.ChannelManager, Usd(0m), Manager, ManagerBackup),
            new(2, "Sales director", ApproverRole.Other, Usd(250_000m), Director, DirectorBackup),
        ]),
        ReminderAfterDays = 2,
        EscalationAfterDays = 4,
        DecisionDays = 5,
    };

    public static RegistrationInput Input(string company = "Contoso Ltd", string email = "ana@contoso.com", string value = "50000", string currency = "USD",
        string close = "2026-06-30", string[]? products = null) => new()
    {
        CompanyName = company, Website = null, Country = "GB", ContactName = "Ana Silva", ContactEmail = email, Products = products ?? ["backup"],
        EstimatedValue = value, Currency = currency, ExpectedClose = close, FoundVia = "prospecting",
    };

    public static DealRegistration Registration(string company = "Contoso Ltd", string email = "ana@contoso.com", decimal value = 50_000m, string[]? products = null)
    {
        var checkd = RegistrationCheck.Validate(Input(company, email, value.ToString(System.Globalization.CultureInfo.InvariantCulture), products: products), Rules(), "Gold", Now);
        Assert.True(checkd.IsValid, string.Join("; ", checkd.Refusals));
        return checkd.Value!;
    }

    public static readonly DealPartner Alpha = new("Alpha Systems", "sales@alpha.test", "Gold");
}

/// <summary>One registration driven through the pure workflow, keeping the state between steps.</summary>
internal sealed class DealScenario(string id = "d-1", string partner = "alpha")
{
    public DealState State { get; private set; } = DealState.New(id, "vendor", partner);
    public DateTimeOffset Now { get; set; } = DealSamples.Now;
    public Actor Partner { get; } = new($"partner:{partner}", partner);

    public DealTransition Apply(DealEvent e)
    {
        var t = DealWorkflow.Apply(State, e, Now);
        if (!t.IsRefused && !t.IsNoOp) State = t.State;
        return t;
    }

    public DealTransition Submit(DealRegistration? registration = null, ConflictVerdict? verdict = null, RulesOfEngagement? rules = null) =>
        Apply(new SubmitDeal(registration ?? DealSamples.Registration(), rules ?? DealSamples.Rules(), DealSamples.Alpha, verdict ?? new ConflictVerdict.Clear([]), Partner));

    public DealTransition Approve(Approver who, int? step = null) => Apply(new ApproveDeal(step ?? State.Step, new Actor(who.UserId)));

    public DealTransition Timer(DealTimer timer, int? step = null) => Apply(new DealTimerDue(timer, step ?? (timer is DealTimer.Reminder or DealTimer.Escalation or DealTimer.Decision ? State.Step : 0), DealSamples.Timer));

    public void Approved()
    {
        Assert.False(Submit().IsRefused);
        Assert.False(Approve(DealSamples.Manager).IsRefused);
        Assert.Equal(DealStatus.Approved, State.Status);
    }
}
