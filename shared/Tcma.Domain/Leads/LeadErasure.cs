using System.Security.Cryptography;
using System.Text;

namespace Tcma.Domain.Leads;

/// <summary>
/// What remains after a person's data was erased: which lead, when, by whom, which fields, and a keyed one-way hash of
/// the email that answers "was this person erased?" without keeping the address.
/// </summary>
public sealed record ErasureRecord(string LeadId, string VendorId, DateTimeOffset ErasedAt, string ErasedBy, IReadOnlyList<string> ErasedFields, string EmailHash);

/// <summary>
/// The campaign side of an erasure (one per person and vendor, by the same keyed hash): how many campaign sends and
/// clicks had the address blanked, how many stored contact lists lost the person, and for how many partners they are
/// now suppressed, summed over every run. CompletedAt is null while a run is under way or died half-way: erasing
/// again finishes it (every step skips what is already done).
/// </summary>
public sealed record CampaignErasure(string EmailHash, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt, int Sends, int Clicks, int ContactLists, int Partners)
{
    public CampaignErasure Add(CampaignErasure run, DateTimeOffset completedAt) => this with
    {
        CompletedAt = completedAt, Sends = Sends + run.Sends, Clicks = Clicks + run.Clicks, ContactLists = ContactLists + run.ContactLists, Partners = Partners + run.Partners,
    };
}

/// <summary>
/// GDPR erasure of one lead. Kept: country, company size, product interest, status, source and dates (not personal on
/// their own, and the vendor's reports need them). Removed: everything that names or reaches the person, in the lead and
/// in every activity's consent. The wiring applies the same to blobs and exports.
/// </summary>
public static class LeadErasure
{
    /// <summary>Null record when the lead was already erased: erasing twice changes nothing and records nothing.</summary>
    public static (Lead Lead, ErasureRecord? Record) Erase(Lead lead, string erasedBy, DateTimeOffset now, byte[] hashKey)
    {
        if (lead.IsErased)
            return (lead, null);

        var p = lead.Person;
        var fields = new List<string>();
        void Had(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) fields.Add(name);
        }
        Had("email", p.Email);
        Had("firstName", p.FirstName);
        Had("lastName", p.LastName);
        Had("phone", p.Phone);
        Had("company", p.Company);
        Had("jobTitle", p.JobTitle);
        Had("region", p.Region);
        Had("postalCode", p.PostalCode);
        Had("consent.sourcePage", lead.Consent.SourcePage);
        Had("consent.ipAddress", lead.Consent.IpAddress);

        var erased = lead with
        {
            Person = p with
            {
                Email = "",
                FirstName = "",
                LastName = "",
                Phone = null,
                Company = null,
                JobTitle = null,
                Region = null,
                PostalCode = null,
            },
            Consent = Scrub(lead.Consent),
            Activities = [.. lead.Activities.Select(a => a with { Consent = a.Consent is null ? null : Scrub(a.Consent) })],
            IsErased = true,
        };
        return (erased, new ErasureRecord(lead.Id, lead.VendorId, now, erasedBy, fields, EmailHash(lead.VendorId, p.Email, hashKey)));
    }

    /// <summary>
    /// HMAC-SHA256 with a platform secret, not a bare hash: a plain SHA-256 of an email is reversed in seconds by hashing
    /// a list of known addresses.
    /// </summary>
    public static string EmailHash(string vendorId, string email, byte[] hashKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(hashKey, Encoding.UTF8.GetBytes(LeadNormalisation.MatchKey(vendorId, email))));

    public static bool WasErased(string vendorId, string email, IEnumerable<ErasureRecord> records, byte[] hashKey)
    {
        var hash = EmailHash(vendorId, email, hashKey);
        return records.Any(r => r.VendorId == vendorId && r.EmailHash == hash);
    }

    // The consent text itself is the vendor's wording, not the person's data; when and that it was given stays as proof.
    private static Consent Scrub(Consent c) => c with { SourcePage = "", IpAddress = "" };
}
