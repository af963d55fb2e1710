using Tcma.Domain.Kits;
using Tcma.Domain.Partners;

namespace Tcma.Domain.Launches;

/// <summary>Who may launch a kit version, as its manifest's targeting says; an empty list admits everyone.</summary>
public static class LaunchTargeting
{
    /// <summary>Null when the kit can be launched at <paramref name="now"/>, otherwise why not.</summary>
    public static string? Closed(KitTargeting targeting, DateTimeOffset now) =>
        targeting.PublishFrom is { } from && now < from ? $"this kit can be launched from {from:yyyy-MM-dd}"
        : targeting.ExpiresAt is { } until && now >= until ? $"this kit expired on {until:yyyy-MM-dd}"
        : null;

    /// <summary>Null when the partner is among those the kit targets, otherwise why not.</summary>
    public static string? Excludes(KitTargeting targeting, Partner partner)
    {
        static bool In(IReadOnlyList<string> allowed, string value) => allowed.Count == 0 || allowed.Contains(value, StringComparer.OrdinalIgnoreCase);
        if (!In(targeting.Tiers, partner.Tier)) return $"tier {partner.Tier} is not one of {string.Join(", ", targeting.Tiers)}";
        if (!In(targeting.Regions, partner.Region)) return $"region {partner.Region} is not one of {string.Join(", ", targeting.Regions)}";
        if (targeting.Specialisations.Count > 0 && !partner.Specialisations.Any(s => In(targeting.Specialisations, s)))
            return $"none of its specialisations is one of {string.Join(", ", targeting.Specialisations)}";
        return null;
    }
}
