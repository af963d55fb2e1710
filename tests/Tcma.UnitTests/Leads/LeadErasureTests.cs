using System.Text.Json;
using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class LeadErasureTests
{
    private static readonly byte[] Key = [9, 8, 7, 6, 5, 4, 3, 2, 1];

    private static Lead Rich() => Lead() with
    {
        Person = Lead().Person with { Region = "BE", JobTitle = "CTO", CompanySize = "51-200", ProductInterest = "Firewall" },
        Status = new LeadStatus.Working(),
        PartnerId = "partner-a",
    };

    [Fact]
    public void Personal_fields_are_removed_and_the_rest_kept_for_the_vendors_reports()
    {
        var (erased, record) = LeadErasure.Erase(Rich(), "dpo@vendor", Now, Key);
        var p = erased.Person;
        Assert.Equal(("", "", ""), (p.Email, p.FirstName, p.LastName));
        Assert.All(new[] { p.Phone, p.Company, p.JobTitle, p.Region, p.PostalCode }, Assert.Null);
        Assert.Equal(("DE", "51-200", "Firewall"), (p.Country, p.CompanySize!, p.ProductInterest!));
        Assert.Equal(("", ""), (erased.Consent.IpAddress, erased.Consent.SourcePage));
        Assert.All(erased.Activities, a => Assert.Equal("", a.Consent!.IpAddress));
        Assert.Equal(new LeadStatus.Working(), erased.Status);
        Assert.True(erased.IsErased);
        Assert.NotNull(record);
    }

    [Fact]
    public void Nothing_that_identified_the_person_is_left_anywhere_in_the_lead()
    {
        var original = Rich();
        var (erased, _) = LeadErasure.Erase(original, "dpo@vendor", Now, Key);
        var json = JsonSerializer.Serialize(CrmWebhook.Build(erased, new CrmChange("lead.erased", erased.Id, null, Now), "e"), CrmWebhook.Json);
        foreach (var personal in new[] { "ana@example.com", "Ana", "Schmidt", "+49301234567", "Acme GmbH", "CTO", "10115", "203.0.113.7", "lp.example" })
            Assert.DoesNotContain(personal, json);
    }

    [Fact]
    public void The_audit_record_says_what_when_and_who_without_the_email()
    {
        var (_, record) = LeadErasure.Erase(Rich(), "dpo@vendor", Now, Key);
        Assert.Equal(("lead-1", "vendor-1", Now, "dpo@vendor"), (record!.LeadId, record.VendorId, record.ErasedAt, record.ErasedBy));
        Assert.Equal(["email", "firstName", "lastName", "phone", "company", "jobTitle", "region", "postalCode", "consent.sourcePage", "consent.ipAddress"], record.ErasedFields);
        Assert.DoesNotContain("ana", JsonSerializer.Serialize(record), StringComparison.OrdinalIgnoreCase);
        Assert.Matches("^[0-9a-f]{64}$", record.EmailHash);
    }

    [Fact]
    public void Was_this_person_erased_is_answered_from_the_hash_whatever_the_spelling()
    {
        var (_, record) = LeadErasure.Erase(Rich(), "dpo@vendor", Now, Key);
        Assert.True(LeadErasure.WasErased("vendor-1", " ANA@example.com", [record!], Key));
        Assert.False(LeadErasure.WasErased("vendor-1", "ana+x@example.com", [record!], Key));
        Assert.False(LeadErasure.WasErased("vendor-2", "ana@example.com", [record!], Key));
        Assert.False(LeadErasure.WasErased("vendor-1", "ana@example.com", [record!], [1]));
    }

    [Fact]
    public void Erasing_twice_changes_nothing_and_records_nothing()
    {
        var (once, _) = LeadErasure.Erase(Rich(), "dpo@vendor", Now, Key);
        var (twice, record) = LeadErasure.Erase(once, "dpo@vendor", Now.AddDays(1), Key);
        Assert.Same(once, twice);
        Assert.Null(record);
    }
}
