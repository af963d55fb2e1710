using System.Text.Json.Serialization;
using Tcma.Domain.Mdf;

namespace Tcma.Domain.Deals;

/// <summary>Who gets a customer two partners both want.</summary>
public enum ConflictWinner
{
    /// <summary>The registration that reached us first.</summary>
    FirstRegistered,
    /// <summary>The partner that sourced the customer as a lead (its landing page captured it, or it was routed to it); else the first.</summary>
    LeadSource,
    /// <summary>For renewals, the partner that won the customer before; for new business, the first.</summary>
    Incumbent,
}

/// <summary>What makes two registrations the same opportunity: the customer by name (spelled any way) and/or internet domain, and a product in common.</summary>
public sealed record SameOpportunity(bool CompanyName = true, bool Domain = true, bool ProductOverlap = true);

/// <summary>One of the vendor's products a deal can be registered for.</summary>
public sealed record DealProduct(string Id, string Name);

/// <summary>A currency deals may be registered in, with the smallest deal that counts and the largest we believe.</summary>
public sealed record DealSizeRange(Money Minimum, Money Maximum);

/// <summary>
/// A vendor's published rules of engagement, one immutable version. Every registration keeps the version it was
/// submitted under and is decided by it, whatever the vendor publishes later.
/// </summary>
public sealed record RulesOfEngagement
{
    public int Version { get; init; }
    public DateTimeOffset PublishedAt { get; init; }
    public string PublishedBy { get; init; } = "";
    /// <summary>Days an approved registration protects the opportunity, from the day of approval.</summary>
    public int ProtectionDays { get; init; } = 90;
    /// <summary>Days one extension adds; 0 = no extension.</summary>
    public int ExtensionDays { get; init; } = 30;
    public SameOpportunity SameOpportunity { get; init; } = new();
    public ConflictWinner Winner { get; init; } = ConflictWinner.FirstRegistered;
    /// <summary>A registration behind another partner's undecided one waits for it (true) or is refused (false).</summary>
    public bool QueueBehindPending { get; init; } = true;
    public IReadOnlyList<DealSizeRange> DealSizes { get; init; } = [];
    /// <summary>Partner tiers that may register; empty = every tier.</summary>
    public IReadOnlyList<string> AllowedTiers { get; init; } = [];
    public IReadOnlyList<DealProduct> Products { get; init; } = [];
    /// <summary>What an approved registration gives, in the vendor's words (written on every approval).</summary>
    public string Benefits { get; init; } = "";
    /// <summary>Who approves; level thresholds are in the first deal currency (a deal in another currency goes through every level).</summary>
    public required ApprovalChain Approval { get; init; }
    public int ReminderAfterDays { get; init; } = 2;
    public int EscalationAfterDays { get; init; } = 4;
    /// <summary>The vendor's promise: a decision within this many days of submission.</summary>
    public int DecisionDays { get; init; } = 5;
    /// <summary>What the promise means when it is missed: approved automatically (true) or expired, free to register again (false).</summary>
    public bool ApproveWhenUndecided { get; init; } = true;
    /// <summary>How far ahead the expected close date may lie.</summary>
    public int MaxCloseDays { get; init; } = 365;

    public const int MaxBenefitsLength = 2_000;
    public const int MaxProducts = 200;

    [JsonIgnore] public Currency ChainCurrency => DealSizes.Count > 0 ? DealSizes[0].Minimum.Currency : Currency.USD;

    public DealSizeRange? SizeFor(Currency currency) => DealSizes.FirstOrDefault(s => s.Minimum.Currency == currency);

    public DealProduct? Product(string id) => Products.FirstOrDefault(p => p.Id == id);

    public bool TierAllowed(string tier) => AllowedTiers.Count == 0 || AllowedTiers.Contains(tier.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>The approval levels a deal of this value needs: by threshold in the chain's currency, every level otherwise.</summary>
    public Money ThresholdAmount(Money value) =>
        value.Currency == ChainCurrency ? value : Money.Of(999_999_999_999m, ChainCurrency);

    /// <summary>Everything that stops these rules from being published, all at once.</summary>
    public IReadOnlyList<Refusal> Check()
    {
        var problems = new List<Refusal>();
        void Range(int value, int min, int max, string code, string what)
        {
            if (value < min || value > max) problems.Add(new(code, $"{what} must be from {min} to {max}; it is {value}."));
        }
        Range(ProtectionDays, 1, 730, "rules.protection_days", "The protection period (days)");
        Range(ExtensionDays, 0, 365, "rules.extension_days", "The extension (days)");
        Range(DecisionDays, 1, 60, "rules.decision_days", "The days to decide");
        Range(ReminderAfterDays, 1, 60, "rules.reminder_days", "The reminder after (days)");
        Range(EscalationAfterDays, 1, 60, "rules.escalation_days", "The escalation after (days)");
        Range(MaxCloseDays, 1, 1_095, "rules.max_close_days", "The furthest close date (days ahead)");
        if (EscalationAfterDays <= ReminderAfterDays)
            problems.Add(new("rules.escalation_before_reminder", "Escalation must come after the reminder."));
        if (!SameOpportunity.CompanyName && !SameOpportunity.Domain)
            problems.Add(new("rules.same_opportunity", "Say how the same customer is recognised: by company name, by internet domain, or both."));

        if (DealSizes.Count == 0) problems.Add(new("rules.no_currency", "Accept at least one currency, with its minimum deal size."));
        if (DealSizes.GroupBy(s => s.Minimum.Currency.Code).Any(g => g.Count() > 1))
            problems.Add(new("rules.currency_twice", "Give each currency once."));
        foreach (var size in DealSizes)
        {
            if (size.Maximum.Currency != size.Minimum.Currency)
                problems.Add(new("rules.size_currency", $"The minimum and maximum for {size.Minimum.Currency.Code} must be in {size.Minimum.Currency.Code}."));
            else if (size.Minimum.IsNegative || size.Maximum <= size.Minimum)
                problems.Add(new("rules.size_range", $"For {size.Minimum.Currency.Code} the maximum ({size.Maximum}) must be above the minimum ({size.Minimum}), and the minimum not negative."));
        }

        if (Products.Count == 0) problems.Add(new("rules.no_products", "List at least one product deals can be registered for."));
        if (Products.Count > MaxProducts) problems.Add(new("rules.too_many_products", $"At most {MaxProducts} products."));
        foreach (var p in Products.Where(p => !IsProductId(p.Id) || string.IsNullOrWhiteSpace(p.Name) || p.Name.Length > 100))
            problems.Add(new("rules.product", $"Product '{p.Id}': the id is 1-40 lowercase letters, digits or hyphens and the name 1-100 characters."));
        if (Products.GroupBy(p => p.Id).Any(g => g.Count() > 1)) problems.Add(new("rules.product_twice", "Give each product id once."));
        if (AllowedTiers.Count > 20 || AllowedTiers.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > 60))
            problems.Add(new("rules.tiers", "At most 20 tiers, each 1-60 characters."));
        if (Benefits.Length > MaxBenefitsLength) problems.Add(new("rules.benefits_too_long", $"What approval gives is at most {MaxBenefitsLength:N0} characters."));
        problems.AddRange(Approval.Check(ChainCurrency, "deal approval", financeAlways: false));
        return problems;
    }

    public static bool IsProductId(string? id) =>
        id is { Length: >= 1 and <= 40 } && char.IsAsciiLetterOrDigit(id[0]) && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>The rules as a partner reads them, one sentence each: on the portal and in every registration email.</summary>
    public IReadOnlyList<string> PlainWords()
    {
        var same = new List<string>();
        if (SameOpportunity.CompanyName) same.Add("its company name (however it is spelled)");
        if (SameOpportunity.Domain) same.Add("its internet domain");
        var words = new List<string>
        {
            $"An approved registration protects your opportunity for {ProtectionDays} days from the day it is approved"
                + (ExtensionDays > 0 ? $"; you can ask once for {ExtensionDays} more days before it ends." : "."),
            $"The same opportunity means the same customer, recognised by {string.Join(" or ", same)}"
                + (SameOpportunity.ProductOverlap ? ", with at least one product in common." : ", whatever the products."),
            Winner switch
            {
                ConflictWinner.LeadSource => "When partners register the same opportunity, the partner that sourced the customer as a lead (on its own campaign's landing page, or a lead routed to it) gets it; otherwise the first registration counts.",
                ConflictWinner.Incumbent => "For a renewal, the partner that won the customer before (the incumbent) gets it; for new business the first registration counts.",
                _ => "When partners register the same opportunity, the first registration counts.",
            },
            QueueBehindPending
                ? "A registration made after another partner's undecided one waits for that decision and goes ahead if it is turned down."
                : "A registration made after another partner's undecided one is refused.",
            "An approved registration is never taken from you before its protection ends; we never tell another partner who holds it.",
            $"Deals can be registered in {string.Join(", ", DealSizes.Select(s => s.Minimum.Currency.Code))}, from "
                + string.Join(" or ", DealSizes.Select(s => s.Minimum.ToString())) + ", with an expected close date in the next " + MaxCloseDays + " days.",
            AllowedTiers.Count == 0 ? "Partners of every tier can register deals." : $"Partners of these tiers can register deals: {string.Join(", ", AllowedTiers)}.",
            $"We decide within {DecisionDays} days; a registration not decided by then is " + (ApproveWhenUndecided ? "approved." : "closed, and you can register it again."),
        };
        words.Add(Benefits.Trim().Length > 0 ? $"An approved registration gives you: {Benefits.Trim()}" : "An approved registration gives you its protection.");
        return words;
    }
}
