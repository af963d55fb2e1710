using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class SubmissionValidationTests
{
    private static IReadOnlyList<FieldError> Errors(LeadSubmission s) =>
        Assert.IsType<SubmissionCheck.Invalid>(SubmissionValidation.Check(s)).Errors;

    [Fact]
    public void A_complete_submission_is_valid_and_normalised()
    {
        var v = Valid(Submission(email: "  Ana.Schmidt+Events@Example.COM ") with { Company = "  Acme    GmbH ", Country = "de" });
        Assert.Equal("ana.schmidt+events@example.com", v.Person.Email);
        Assert.Equal("+49301234567", v.Person.Phone);
        Assert.Equal("Acme GmbH", v.Person.Company);
        Assert.Equal("DE", v.Person.Country);
        Assert.Equal(new Consent("I agree that Acme and its partner may contact me.", Now, "https://lp.example/acme/launch-1", "203.0.113.7"), v.Consent);
    }

    [Fact]
    public void Required_fields_are_named_when_missing()
    {
        var errors = Errors(Submission() with { Email = " ", FirstName = null, LastName = "", Country = null, ConsentText = null });
        Assert.Equal(["email", "firstName", "lastName", "country", "consentText"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal("is required", e.Message));
    }

    [Fact]
    public void A_landing_page_submission_must_carry_its_page_and_ip_but_an_api_one_need_not()
    {
        var fromPage = Errors(Submission() with { SourcePage = null, IpAddress = null });
        Assert.Equal(["sourcePage", "ipAddress"], fromPage.Select(e => e.Field));

        var fromApi = SubmissionValidation.Check(Submission() with { Source = new LeadSource.Api("crm-sync"), SourcePage = null, IpAddress = null });
        var valid = Assert.IsType<SubmissionCheck.Valid>(fromApi);
        Assert.Equal("", valid.Submission.Consent.IpAddress);
    }

    [Theory]
    [InlineData("email", 255)]
    [InlineData("firstName", 101)]
    [InlineData("company", 201)]
    [InlineData("jobTitle", 151)]
    [InlineData("postalCode", 21)]
    [InlineData("consentText", 4001)]
    [InlineData("sourcePage", 2049)]
    public void An_oversized_field_is_refused_with_its_name_never_truncated(string field, int length)
    {
        var text = new string('a', length);
        var s = field switch
        {
            "email" => Submission() with { Email = text[..^12] + "@example.com" },
            "firstName" => Submission() with { FirstName = text },
            "company" => Submission() with { Company = text },
            "jobTitle" => Submission() with { JobTitle = text },
            "postalCode" => Submission() with { PostalCode = text },
            "consentText" => Submission() with { ConsentText = text },
            _ => Submission() with { SourcePage = text },
        };
        var error = Assert.Single(Errors(s));
        Assert.Equal(field, error.Field);
        Assert.Contains($"is {length} characters long", error.Message);
    }

    [Fact]
    public void Every_field_at_its_limit_is_accepted()
    {
        var limits = new SubmissionLimits();
        var s = Submission() with
        {
            FirstName = new string('a', limits.Name),
            Company = new string('c', limits.Company),
            JobTitle = new string('j', limits.JobTitle),
            ConsentText = new string('t', limits.ConsentText),
        };
        Assert.IsType<SubmissionCheck.Valid>(SubmissionValidation.Check(s));
    }

    [Theory]
    [InlineData("ana")]
    [InlineData("ana@")]
    [InlineData("@example.com")]
    [InlineData("ana@@example.com")]
    [InlineData("ana@example")]
    [InlineData("ana..s@example.com")]
    [InlineData(".ana@example.com")]
    [InlineData("ana s@example.com")]
    [InlineData("ana@-example.com")]
    [InlineData("ana@example.123")]
    [InlineData("\"ana\"@example.com")]
    [InlineData("Ana <ana@example.com>")]
    public void A_malformed_email_is_refused(string email)
    {
        var error = Assert.Single(Errors(Submission() with { Email = email }));
        Assert.Equal("email", error.Field);
    }

    [Theory]
    [InlineData("ana@example.com")]
    [InlineData("ana.schmidt+events@mail.example.co.uk")]
    [InlineData("o'brien@example.ie")]
    [InlineData("jürgen@bücher.de")]
    public void Ordinary_emails_are_accepted(string email) =>
        Assert.IsType<SubmissionCheck.Valid>(SubmissionValidation.Check(Submission() with { Email = email }));

    [Theory]
    [InlineData("030 1234567", "DE", "+49301234567")]
    [InlineData("+1 (650) 253-0000", "DE", "+16502530000")]
    [InlineData("(650) 253-0000", "US", "+16502530000")]
    [InlineData("020 7946 0018", "GB", "+442079460018")]
    public void Phones_become_E164_read_in_the_persons_country(string phone, string country, string e164) =>
        Assert.Equal(e164, Valid(Submission() with { Phone = phone, Country = country }).Person.Phone);

    [Theory]
    [InlineData("12")]
    [InlineData("not a number")]
    [InlineData("+49 0000")]
    public void An_invalid_phone_is_refused_naming_the_country(string phone)
    {
        var error = Assert.Single(Errors(Submission() with { Phone = phone }));
        Assert.Equal(new FieldError("phone", "is not a valid phone number for DE"), error);
    }

    [Fact]
    public void A_missing_phone_is_fine()
    {
        Assert.Null(Valid(Submission() with { Phone = null }).Person.Phone);
    }

    [Theory]
    [InlineData("Germany")]
    [InlineData("XX")]
    [InlineData("D")]
    public void An_unknown_country_is_refused(string country)
    {
        var error = Assert.Single(Errors(Submission() with { Country = country, Phone = null }));
        Assert.Equal(new FieldError("country", $"\"{country}\" is not a two-letter country code such as DE or US"), error);
    }

    [Fact]
    public void Scripts_are_kept_as_text_because_escaping_happens_where_they_are_shown()
    {
        const string script = "<script>alert('x')</script>";
        var v = Valid(Submission() with { FirstName = script, Company = "<img src=x onerror=alert(1)>", JobTitle = "=HYPERLINK(\"http://evil\")" });
        Assert.Equal(script, v.Person.FirstName);
        Assert.Equal("<img src=x onerror=alert(1)>", v.Person.Company);
        Assert.Equal("=HYPERLINK(\"http://evil\")", v.Person.JobTitle);
    }

    [Fact]
    public void Control_characters_are_refused_in_single_line_fields_but_newlines_are_fine_in_the_consent_text()
    {
        var error = Assert.Single(Errors(Submission() with { FirstName = "Ana\r\nBcc: x@evil.example" }));
        Assert.Equal(new FieldError("firstName", "contains control characters"), error);
        Assert.IsType<SubmissionCheck.Valid>(SubmissionValidation.Check(Submission() with { ConsentText = "Line one.\nLine two." }));
    }

    [Fact]
    public void A_filled_honeypot_is_a_bot_to_be_thanked_and_forgotten_even_when_the_rest_is_invalid()
    {
        Assert.IsType<SubmissionCheck.Bot>(SubmissionValidation.Check(Submission() with { Honeypot = "http://spam.example" }));
        Assert.IsType<SubmissionCheck.Bot>(SubmissionValidation.Check(Submission() with { Honeypot = "x", Email = "nonsense" }));
        Assert.IsType<SubmissionCheck.Valid>(SubmissionValidation.Check(Submission() with { Honeypot = "  " }));
    }

    [Fact]
    public void A_bad_ip_address_is_refused()
    {
        Assert.Equal("ipAddress", Assert.Single(Errors(Submission() with { IpAddress = "not-an-ip" })).Field);
        Assert.IsType<SubmissionCheck.Valid>(SubmissionValidation.Check(Submission() with { IpAddress = "2001:db8::1" }));
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var errors = Errors(Submission() with { Email = "x", Phone = "1", FirstName = new string('a', 500) });
        Assert.Equal(["email", "firstName", "phone"], errors.Select(e => e.Field).Order());
    }
}
