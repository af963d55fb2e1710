using Microsoft.Extensions.Caching.Memory;
using Tcma.Storage.Rendering;

namespace Tcma.Functions.Portal;

/// <summary>
/// What every portal page's header shows of the partner's brand (its colour, whether it has a logo, the logo's size),
/// kept a short while: the header is on every page, the full profile (logo bytes included) is not needed there.
/// </summary>
public sealed class PortalBrands(BrandProfileStore brands, IMemoryCache cache)
{
    public static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(30);

    public sealed record Header(string PrimaryColour, int LogoWidth, int LogoHeight);

    public async Task<Header?> HeaderAsync(string vendorId, string partnerId, CancellationToken ct) =>
        await cache.GetOrCreateAsync(Key(vendorId, partnerId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheTime;
            var brand = await brands.GetAsync(vendorId, partnerId, ct);
            if (brand is null) return null;
            // The header shows the logo 32 px high; the size keeps the layout from jumping while it loads.
            var width = (int)Math.Round(brand.Logo.Width * 32.0 / Math.Max(1, brand.Logo.Height));
            return new Header(brand.PrimaryColour.ToString(), Math.Min(width, 160), 32);
        });

    /// <summary>After the partner saves its brand, the next page shows it.</summary>
    public void Forget(string vendorId, string partnerId) => cache.Remove(Key(vendorId, partnerId));

    private static string Key(string vendorId, string partnerId) => $"portal-brand:{vendorId}|{partnerId}";
}
