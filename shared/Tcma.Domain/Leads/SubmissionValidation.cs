using System.Net;

namespace Tcma.Domain.Leads;

/// <summary>
/// Checks and normalises a raw submission. Text such as "&lt;script&gt;" is kept exactly as typed: it is the person's
/// data, and it is made harmless where it is shown (every page and email escapes it), not by altering it here.
/// </summary>
public static class SubmissionValidation
{
    public static SubmissionCheck Check(LeadSubmission s, SubmissionLimits? limits = null)
    {
        // Before anything else, so a bot gets the same answer whatever else it sent.
        if (!string.IsNullOrWhiteSpace(s.Honeypot))
            return new SubmissionCheck.Bot();

        limits ??= new SubmissionLimits();
        var errors = new List<FieldError>();

        var email = Text(errors, "email", s.Email, limits.Email, required: true);
        var firstName = Text(errors, "firstName", s.FirstName, limits.Name, required: true);
        var lastName = Text(errors, "lastName", s.LastName, limits.Name, required: true);
        var phone = Text(errors, "phone", s.Phone, limits.Phone, required: false);
        var company = Text(errors, "company", s.Company, limits.Company, required: false);
        var jobTitle = Text(errors, "jobTitle", s.JobTitle, limits.JobTitle, required: false);
        var countryText = Text(errors, "country", s.Country, limits.Country, required: true);
        var region = Text(errors, "region", s.Region, limits.Region, required: false);
        var postalCode = Text(errors, "postalCode", s.PostalCode, limits.PostalCode, required: false);
        var companySize = Text(errors, "companySize", s.CompanySize, limits.CompanySize, required: false);
        var productInterest = Text(errors, "productInterest", s.ProductInterest, limits.ProductInterest, required: false);
        var consentText = Text(errors, "consentText", s.ConsentText, limits.ConsentText, required: true, multiline: true);
        // A landing page always knows its page and the visitor's address; the API and CSV pass on what the vendor recorded.
        var fromPage = s.Source is LeadSource.LandingPage;
        var sourcePage = Text(errors, "sourcePage", s.SourcePage, limits.SourcePage, required: fromPage);
        var ip = Text(errors, "ipAddress", s.IpAddress, limits.IpAddress, required: fromPage);

        if (email is not null && !IsEmail(email))
            errors.Add(new("email", "is not a valid email address"));

        string? country = null;
        if (countryText is not null)
        {
            country = LeadNormalisation.Country(countryText);
            if (country is null)
                errors.Add(new("country", $"\"{countryText}\" is not a two-letter country code such as DE or US"));
        }

        string? e164 = null;
        if (phone is not null && country is not null)
        {
            e164 = LeadNormalisation.PhoneE164(phone, country);
            if (e164 is null)
                errors.Add(new("phone", $"is not a valid phone number for {country}"));
        }

        if (ip is not null && !IPAddress.TryParse(ip, out _))
            errors.Add(new("ipAddress", "is not an IP address"));

        if (errors.Count > 0)
            return new SubmissionCheck.Invalid(errors);

        var person = new LeadPerson
        {
            Email = LeadNormalisation.Email(email!),
            FirstName = firstName!,
            LastName = lastName!,
            Phone = e164,
            Company = company is null ? null : LeadNormalisation.Company(company),
            JobTitle = jobTitle,
            Country = country!,
            Region = region,
            PostalCode = postalCode?.ToUpperInvariant(),
            CompanySize = companySize,
            ProductInterest = productInterest,
        };
        var consent = new Consent(consentText!, s.ReceivedAt, sourcePage ?? "", ip ?? "");
        return new SubmissionCheck.Valid(new ValidSubmission(s.SubmissionId, s.VendorId, person, consent, s.Source, s.Kind, s.ReceivedAt));
    }

    /// <summary>Trimmed text, or null when absent; records an error when required and missing, too long, or holding control characters.</summary>
    private static string? Text(List<FieldError> errors, string field, string? value, int max, bool required, bool multiline = false)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            if (required)
                errors.Add(new(field, "is required"));
            return null;
        }
        if (text.Length > max)
        {
            errors.Add(new(field, $"is {text.Length} characters long; at most {max} are allowed"));
            return null;
        }
        // Control characters have no place in a name or a phone number and break CSV exports and email headers.
        if (text.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
        {
            errors.Add(new(field, "contains control characters"));
            return null;
        }
        return text;
    }

    /// <summary>
    /// A practical address check: one '@', a local part of at most 64 characters without leading, trailing or doubled dots,
    /// and a domain of at least two labels. Quoted local parts and IP-literal domains are refused: no real lead uses them.
    /// </summary>
    public static bool IsEmail(string email)
    {
        if (email.Length > 254 || email.Any(char.IsWhiteSpace)) return false;
        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@')) return false;
        var local = email[..at];
        var domain = email[(at + 1)..];
        if (local.Length > 64 || local.StartsWith('.') || local.EndsWith('.') || local.Contains("..")) return false;
        if (!local.All(c => char.IsLetterOrDigit(c) || c > 127 || "!#$%&'*+/=?^_`{|}~.-".Contains(c))) return false;
        var labels = domain.Split('.');
        if (labels.Length < 2) return false;
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label.StartsWith('-') || label.EndsWith('-')) return false;
            if (!label.All(c => char.IsLetterOrDigit(c) || c > 127 || c == '-')) return false;
        }
        return !labels[^1].All(char.IsDigit);
    }
}
