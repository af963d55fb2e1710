using System.Globalization;
using System.Net.Mail;
using System.Text.Json.Serialization;
using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;

namespace Tcma.Domain.Deals;

/// <summary>How the partner found the opportunity.</summary>
public enum FoundVia
{
    /// <summary>Its own prospecting.</summary>
    Prospecting,
    /// <summary>One of its campaign launches (a vendor kit it launched): <see cref="DealOrigin.LaunchId"/>.</summary>
    CampaignLaunch,
    /// <summary>A lead the vendor routed to it: <see cref="DealOrigin.LeadId"/>.</summary>
    RoutedLead,
}

public sealed record DealOrigin(FoundVia Via, string? LaunchId = null, string? LeadId = null);

public sealed record DealCustomer(string CompanyName, string? Website, string Country)
{
    [JsonIgnore] public string NormalisedName => CompanyNames.Normalise(CompanyName);
}

public sealed record DealContact(string Name, string Email, string? Phone);

/// <summary>A deal as registered: checked against the rules it was submitted under, every field normalised.</summary>
public sealed record DealRegistration(
    DealCustomer Customer, DealContact Contact, IReadOnlyList<string> Products, Money EstimatedValue, DateOnly ExpectedClose,
    DealOrigin Origin, bool IsRenewal, string? Notes)
{
    /// <summary>The customer's registrable domains (contact email, website), without free mail.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Domains =>
        new[] { CustomerDomains.OfEmail(Contact.Email), CustomerDomains.OfWebsite(Customer.Website) }.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>A registration as a partner's form or client sends it: untrusted text, amounts as typed, dates as yyyy-MM-dd.</summary>
public sealed record RegistrationInput
{
    public string? CompanyName { get; init; }
    public string? Website { get; init; }
    public string? Country { get; init; }
    public string? ContactName { get; init; }
    public string? ContactEmail { get; init; }
    public string? ContactPhone { get; init; }
    public IReadOnlyList<string?>? Products { get; init; }
    public string? EstimatedValue { get; init; }
    public string? Currency { get; init; }
    public string? ExpectedClose { get; init; }
    /// <summary>"prospecting", "launch" or "lead".</summary>
    public string? FoundVia { get; init; }
    public string? LaunchId { get; init; }
    public string? LeadId { get; init; }
    public bool? Renewal { get; init; }
    public string? Notes { get; init; }
}

/// <summary>Reads a registration against the rules it is submitted under, and says everything that is wrong at once.</summary>
public static class RegistrationCheck
{
    public const int MaxTextLength = 200;
    public const int MaxNotesLength = 2_000;
    public const int MaxProducts = 10;

    public static Checked<DealRegistration> Validate(RegistrationInput input, RulesOfEngagement rules, string partnerTier, DateTimeOffset now)
    {
        var problems = new List<Refusal>();
        if (!rules.TierAllowed(partnerTier))
            problems.Add(new("deal.tier_not_allowed", $"Partners of tier {partnerTier} cannot register deals; the rules allow {string.Join(", ", rules.AllowedTiers)}."));

        var company = Text(input.CompanyName, "deal.company_missing", "the customer's company name", problems);
        if (company is not null && CompanyNames.Compact(company).Length == 0)
            problems.Add(new("deal.company_missing", "Give the customer's company name in letters or digits."));
        var website = string.IsNullOrWhiteSpace(input.Website) ? null : input.Website.Trim();
        if (website is not null && (website.Length > MaxTextLength || CustomerDomains.OfWebsite(website) is null))
            problems.Add(new("deal.website", $"'{Shorten(website)}' is not a company website (for example contoso.com)."));
        var country = LeadNormalisation.Country(input.Country ?? "");
        if (country is null) problems.Add(new("deal.country", "Give the customer's country as a two-letter code such as GB or DE."));

        var contactName = Text(input.ContactName, "deal.contact_missing", "the contact's name", problems);
        var email = (input.ContactEmail ?? "").Trim();
        if (!IsEmail(email)) problems.Add(new("deal.contact_email", "Give the contact's email address."));
        var phone = string.IsNullOrWhiteSpace(input.ContactPhone) ? null : input.ContactPhone.Trim();
        if (phone is { Length: > 40 }) problems.Add(new("deal.contact_phone", "The phone number is at most 40 characters."));

        var products = (input.Products ?? []).Select(p => (p ?? "").Trim()).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (products.Count == 0) problems.Add(new("deal.products_missing", "Choose at least one product."));
        if (products.Count > MaxProducts) problems.Add(new("deal.too_many_products", $"Choose at most {MaxProducts} products."));
        foreach (var p in products.Where(p => rules.Product(p) is null).Take(5))
            problems.Add(new("deal.unknown_product", $"'{Shorten(p)}' is not one of the products deals can be registered for."));

        var value = Value(input.EstimatedValue, input.Currency, rules, problems);

        var today = Days.Of(now);
        DateOnly close = default;
        if (!DateOnly.TryParseExact((input.ExpectedClose ?? "").Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out close))
            problems.Add(new("deal.close_date", "Give the expected close date as yyyy-MM-dd, for example 2026-06-30."));
        else if (close < today)
            problems.Add(new("deal.close_in_past", $"The expected close date {close:yyyy-MM-dd} is in the past; give a day from {today:yyyy-MM-dd}."));
        else if (close > today.AddDays(rules.MaxCloseDays))
            problems.Add(new("deal.close_too_far", $"The expected close date must be within {rules.MaxCloseDays} days, by {today.AddDays(rules.MaxCloseDays):yyyy-MM-dd}."));

        var origin = Origin(input, problems);
        var notes = string.IsNullOrWhiteSpace(input.Notes) ? null : input.Notes.Trim();
        if (notes is { Length: > MaxNotesLength }) problems.Add(new("deal.notes_too_long", $"The notes are at most {MaxNotesLength:N0} characters."));

        if (problems.Count > 0) return Checked<DealRegistration>.No(problems);
        return Checked<DealRegistration>.Ok(new DealRegistration(
            new DealCustomer(LeadNormalisation.Company(company!), website, country!),
            new DealContact(contactName!, LeadNormalisation.Email(email), phone),
            products, value!, close, origin!, input.Renewal ?? false, notes));
    }

    /// <summary>The estimated value: a known currency the rules accept, a positive believable amount, at least the minimum.</summary>
    public static Money? Value(string? text, string? currencyCode, RulesOfEngagement rules, List<Refusal> problems)
    {
        var currency = Currency.Parse(currencyCode);
        if (!currency.IsValid)
        {
            problems.AddRange(currency.Refusals);
            return null;
        }
        var size = rules.SizeFor(currency.Value!);
        if (size is null)
        {
            problems.Add(new("deal.currency_not_accepted", $"Deals are registered in {string.Join(", ", rules.DealSizes.Select(s => s.Minimum.Currency.Code))}, not {currency.Value!.Code}."));
            return null;
        }
        var parsed = MoneyInput.Parse(text, currency.Value!, new MoneyRules(size.Maximum));
        if (!parsed.IsValid)
        {
            problems.AddRange(parsed.Refusals.Select(r => r with { Message = $"The estimated value: {r.Message}" }));
            return null;
        }
        if (parsed.Value! < size.Minimum)
        {
            problems.Add(new("deal.below_minimum", $"Deals from {size.Minimum} can be registered; this one is {parsed.Value}."));
            return null;
        }
        return parsed.Value;
    }

    private static DealOrigin? Origin(RegistrationInput input, List<Refusal> problems)
    {
        switch ((input.FoundVia ?? "prospecting").Trim().ToLowerInvariant())
        {
            case "prospecting" or "":
                return new DealOrigin(FoundVia.Prospecting);
            case "launch":
                if (IsId(input.LaunchId)) return new DealOrigin(FoundVia.CampaignLaunch, LaunchId: input.LaunchId!.Trim());
                problems.Add(new("deal.launch_missing", "Say which of your campaign launches found this customer."));
                return null;
            case "lead":
                if (IsId(input.LeadId)) return new DealOrigin(FoundVia.RoutedLead, LeadId: input.LeadId!.Trim());
                problems.Add(new("deal.lead_missing", "Say which of your leads this customer is."));
                return null;
            default:
                problems.Add(new("deal.found_via", "How it was found is one of: prospecting, launch, lead."));
                return null;
        }
    }

    private static bool IsId(string? id) => id is { Length: > 0 and <= 200 } && id.Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static string? Text(string? text, string code, string what, List<Refusal> problems)
    {
        var t = (text ?? "").Trim();
        if (t.Length == 0) { problems.Add(new(code, $"Give {what}.")); return null; }
        if (t.Length > MaxTextLength) { problems.Add(new(code.Replace("_missing", "_too_long", StringComparison.Ordinal), $"{char.ToUpperInvariant(what[0])}{what[1..]} is at most {MaxTextLength} characters.")); return null; }
        return t;
    }

    private static bool IsEmail(string email)
    {
        if (email.Length is 0 or > 254 || email.Any(char.IsWhiteSpace)) return false;
        try
        {
            return new MailAddress(email).Address == email && email.IndexOf('@') is > 0 && email[(email.IndexOf('@') + 1)..].Contains('.');
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
