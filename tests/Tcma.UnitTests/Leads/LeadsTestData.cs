using Tcma.Domain.Leads;

namespace Tcma.UnitTests.Leads;

internal static class LeadsTestData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static LeadSubmission Submission(string id = "s1", string email = "ana@example.com") => new()
    {
        SubmissionId = id,
        VendorId = "vendor-1",
        Source = new LeadSource.LandingPage("partner-a", "launch-1", "kit-1"),
        ReceivedAt = Now,
        Email = email,
        FirstName = "Ana",
        LastName = "Schmidt",
        Phone = "030 1234567",
        Company = "Acme GmbH",
        JobTitle = "Head of IT",
        Country = "DE",
        PostalCode = "10115",
        ConsentText = "I agree that Acme and its partner may contact me.",
        SourcePage = "https://lp.example/acme/launch-1",
        IpAddress = "203.0.113.7",
    };

    public static ValidSubmission Valid(LeadSubmission submission) =>
        SubmissionValidation.Check(submission) is SubmissionCheck.Valid v ? v.Submission : throw new InvalidOperationException("test submission is invalid");

    public static Lead Lead(string id = "lead-1", string email = "ana@example.com", DateTimeOffset? at = null) =>
        Domain.Leads.Lead.Create(id, Valid(Submission("sub-" + id, email) with { ReceivedAt = at ?? Now }));
}
