using Microsoft.Extensions.Caching.Memory;
using Tcma.Domain.Kits;
using Tcma.Domain.Portal;
using Tcma.Functions.Kits;

namespace Tcma.Functions.Portal;

/// <summary>
/// A vendor's published kit versions as the campaign library lists them, read from the kit index (one partition) and
/// kept for a few seconds: every partner of a vendor browses the same catalogue, and a page must stay fast at a
/// thousand kits. Launching reads the version's own row again, so a version recalled meanwhile is never launched.
/// </summary>
public sealed class PortalCatalog(KitIndex index, KitVersionFiles files, IMemoryCache cache)
{
    public static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(15);

    private sealed record Catalogue(IReadOnlyList<LibraryKit> Published, string? VendorName);

    public async Task<IReadOnlyList<LibraryKit>> PublishedAsync(string vendorId, CancellationToken ct) => (await CatalogueAsync(vendorId, ct)).Published;

    /// <summary>The vendor's name as its kits spell it (there is no other record of it); its id when it has no kit yet.</summary>
    public async Task<string> VendorNameAsync(string vendorId, CancellationToken ct) => (await CatalogueAsync(vendorId, ct)).VendorName ?? vendorId;

    /// <summary>Drops the cached catalogue, so the next page shows a change at once (tests; a vendor's own publish).</summary>
    public void Forget(string vendorId) => cache.Remove(Key(vendorId));

    private static string Key(string vendorId) => "portal-catalogue:" + vendorId;

    private async Task<Catalogue> CatalogueAsync(string vendorId, CancellationToken ct) =>
        (await cache.GetOrCreateAsync(Key(vendorId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheTime;
            var kits = await index.ListAsync(vendorId, null, ct);
            var published = new List<LibraryKit>();
            foreach (var v in kits.SelectMany(k => k.Versions).Where(v => v.Status == KitStatus.Published))
            {
                // Versions indexed before the library existed lack its facts: their manifest says them.
                var facts = v.Library ?? ((await files.GetAsync(vendorId, v.KitId, v.Version, ct))?.Manifest is { } m ? KitLibraryFacts.From(m) : null);
                if (facts is null) continue;
                var t = v.Targeting;
                published.Add(new LibraryKit(v.KitId, v.Version, v.Name, v.Description, v.VendorName, facts.Languages, facts.Topics, facts.Channels, facts.CardImage,
                    new KitTargeting { Tiers = t.Tiers, Regions = t.Regions, Specialisations = t.Specialisations, PublishFrom = t.PublishFrom, ExpiresAt = t.ExpiresAt },
                    v.PublishedAt ?? v.UploadedAt));
            }
            var name = kits.SelectMany(k => k.Versions).OrderByDescending(v => v.PublishedAt ?? v.UploadedAt).FirstOrDefault()?.VendorName;
            return new Catalogue(published, name);
        }))!;
}
