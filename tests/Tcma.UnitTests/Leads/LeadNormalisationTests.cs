using Tcma.Domain.Leads;

namespace Tcma.UnitTests.Leads;

public sealed class LeadNormalisationTests
{
    [Fact]
    public void Emails_are_trimmed_and_case_folded_but_plus_addresses_stay_distinct()
    {
        Assert.Equal("ana@example.com", LeadNormalisation.Email("  ANA@Example.Com "));
        Assert.Equal(LeadNormalisation.MatchKey("v", "ANA@example.com "), LeadNormalisation.MatchKey("v", "ana@EXAMPLE.com"));
        Assert.NotEqual(LeadNormalisation.MatchKey("v", "ana+events@example.com"), LeadNormalisation.MatchKey("v", "ana@example.com"));
    }

    [Fact]
    public void The_match_key_belongs_to_one_vendor()
    {
        Assert.NotEqual(LeadNormalisation.MatchKey("vendor-1", "ana@example.com"), LeadNormalisation.MatchKey("vendor-2", "ana@example.com"));
    }

    [Fact]
    public void Company_names_are_trimmed_and_their_whitespace_collapsed()
    {
        Assert.Equal("Acme Widgets GmbH", LeadNormalisation.Company("  Acme \t Widgets\n GmbH  "));
    }

    [Fact]
    public void The_same_number_written_differently_normalises_to_one_E164()
    {
        var forms = new[] { "030 1234567", "+49 30 1234567", "0049 30 1234567", "(030) 123-4567" };
        Assert.All(forms, f => Assert.Equal("+49301234567", LeadNormalisation.PhoneE164(f, "DE")));
    }
}
