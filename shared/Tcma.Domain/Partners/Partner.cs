using System.Text.RegularExpressions;
using Tcma.Domain.Launches;

namespace Tcma.Domain.Partners;

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<PartnerStatus>))]
public enum PartnerStatus { Active, Inactive }

/// <summary>Someone at the partner who receives launch links; the primary contact is the one the console shows.</summary>
public sealed record PartnerContact(string Name, string Email, string Role, bool Primary);

/// <summary>A reseller the vendor onboarded. Tier, region and specialisations are the vendor's own words, used to pick who gets a kit.</summary>
public sealed record Partner(
    string Id, string CompanyName, string Tier, string Region, string? Country,
    IReadOnlyList<string> Specialisations, IReadOnlyList<PartnerContact> Contacts, PartnerStatus Status)
{
    /// <summary>How the partner takes leads (territories, weight, opt-outs, capacity); null: its country, weight 1, no cap.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public PartnerLeadRouting? LeadRouting { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public PartnerContact PrimaryContact => Contacts.FirstOrDefault(c => c.Primary) ?? Contacts[0];

    public bool Matches(string? tier, string? region, string? specialisation) =>
        (string.IsNullOrWhiteSpace(tier) || string.Equals(Tier, tier.Trim(), StringComparison.OrdinalIgnoreCase))
        && (string.IsNullOrWhiteSpace(region) || string.Equals(Region, region.Trim(), StringComparison.OrdinalIgnoreCase))
        && (string.IsNullOrWhiteSpace(specialisation) || Specialisations.Contains(specialisation.Trim(), StringComparer.OrdinalIgnoreCase));
}

/// <summary>What lead routing needs to know about a partner beyond its profile.</summary>
public sealed record PartnerLeadRouting(
    IReadOnlyList<Tcma.Domain.Leads.Territory> Territories,
    int Weight = 1,
    IReadOnlyList<string>? OptedOutProducts = null,
    int? MaxOpenUnaccepted = null);

/// <summary>One thing wrong with a partner, keyed by the field to fix.</summary>
public sealed record PartnerProblem(string Field, string Message);

/// <summary>A partner as a caller sends it: anything may be missing or wrong.</summary>
public sealed record PartnerInput
{
    public string? CompanyName { get; init; }
    public string? Tier { get; init; }
    public string? Region { get; init; }
    public string? Country { get; init; }
    public IReadOnlyList<string?>? Specialisations { get; init; }
    public IReadOnlyList<PartnerContactInput?>? Contacts { get; init; }
    public string? Status { get; init; }
}

public sealed record PartnerContactInput(string? Name, string? Email, string? Role, bool? Primary);

/// <summary>
/// Turns input into a <see cref="Partner"/> or lists every problem by field. Text is trimmed and bounded; it is never
/// rewritten, so a company called "=SUM(A1)" stays exactly that (exports neutralise it, see Mdf.CsvText).
/// </summary>
public static partial class PartnerValidator
{
    public const int MaxIdLength = 64;
    public const int MaxCompanyNameLength = 200;
    public const int MaxLabelLength = 60;
    public const int MaxSpecialisations = 20;
    public const int MaxContacts = 20;
    public const int MaxNameLength = 120;

    public static bool IsPartnerId(string? id) => id is not null && id.Length <= MaxIdLength && Slug().IsMatch(id);

    public static (Partner? Partner, IReadOnlyList<PartnerProblem> Problems) Validate(string? id, PartnerInput input)
    {
        var problems = new List<PartnerProblem>();
        if (!IsPartnerId(id))
            problems.Add(new("id", $"The partner id must be 1 to {MaxIdLength} lowercase letters, digits or hyphens, starting with a letter or digit (for example 'contoso-uk')."));

        var company = Text(input.CompanyName, "companyName", "company name", MaxCompanyNameLength, required: true, problems);
        var tier = Text(input.Tier, "tier", "tier", MaxLabelLength, required: true, problems);
        var region = Text(input.Region, "region", "region", MaxLabelLength, required: true, problems);
        var country = Text(input.Country, "country", "country", 2, required: false, problems)?.ToUpperInvariant();
        if (country is { Length: > 0 } && !country.All(char.IsAsciiLetterUpper) || country is { Length: 1 })
            problems.Add(new("country", "The country must be a two-letter ISO code such as GB or DE."));
        if (country is { Length: 0 }) country = null;

        var specialisations = new List<string>();
        var given = input.Specialisations ?? [];
        if (given.Count > MaxSpecialisations)
            problems.Add(new("specialisations", $"At most {MaxSpecialisations} specialisations."));
        foreach (var s in given.Take(MaxSpecialisations))
        {
            var value = Text(s, "specialisations", "specialisation", MaxLabelLength, required: false, problems);
            if (!string.IsNullOrEmpty(value) && !specialisations.Contains(value, StringComparer.OrdinalIgnoreCase)) specialisations.Add(value);
        }

        var contacts = new List<PartnerContact>();
        var contactInputs = input.Contacts ?? [];
        if (contactInputs.Count == 0)
            problems.Add(new("contacts", "Add at least one contact with a name and an email address: launch links go to contacts."));
        if (contactInputs.Count > MaxContacts)
            problems.Add(new("contacts", $"At most {MaxContacts} contacts."));
        var emails = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Math.Min(contactInputs.Count, MaxContacts); i++)
        {
            var field = $"contacts[{i}]";
            if (contactInputs[i] is not { } c) { problems.Add(new(field, "The contact is empty.")); continue; }
            var name = Text(c.Name, $"{field}.name", "contact name", MaxNameLength, required: true, problems);
            var email = (c.Email ?? "").Trim();
            if (!ContactList.IsEmailAddress(email))
                problems.Add(new($"{field}.email", email.Length == 0 ? "The contact needs an email address." : $"'{Shorten(email)}' is not an email address."));
            else if (!emails.Add(email))
                problems.Add(new($"{field}.email", $"{email} is listed twice."));
            var role = Text(c.Role, $"{field}.role", "contact role", MaxLabelLength, required: false, problems);
            contacts.Add(new PartnerContact(name ?? "", email, role ?? "", c.Primary ?? false));
        }
        if (contacts.Count(c => c.Primary) > 1)
            problems.Add(new("contacts", "Only one contact can be the primary contact."));
        else if (contacts.Count > 0 && !contacts.Any(c => c.Primary))
            contacts[0] = contacts[0] with { Primary = true };

        var status = PartnerStatus.Active;
        if (!string.IsNullOrWhiteSpace(input.Status) && !Enum.TryParse(input.Status.Trim(), ignoreCase: true, out status) || !Enum.IsDefined(status))
            problems.Add(new("status", "The status is Active or Inactive."));

        return problems.Count > 0
            ? (null, problems)
            : (new Partner(id!, company!, tier!, region!, country, specialisations, contacts, status), problems);
    }

    private static string? Text(string? value, string field, string what, int max, bool required, List<PartnerProblem> problems)
    {
        var text = value?.Trim() ?? "";
        if (text.Length == 0)
        {
            if (required) problems.Add(new(field, $"The {what} is required."));
            return text;
        }
        if (text.Length > max) problems.Add(new(field, $"The {what} is longer than {max} characters."));
        else if (text.Any(char.IsControl)) problems.Add(new(field, $"The {what} contains control characters (such as line breaks)."));
        return text;
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "...";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Slug();
}
