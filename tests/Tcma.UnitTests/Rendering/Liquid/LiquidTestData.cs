using System.Globalization;
using Tcma.Rendering.Liquid;

namespace Tcma.UnitTests.Rendering.Liquid;

internal static class LiquidTestData
{
    public static readonly DateTimeOffset Now = new(2026, 3, 14, 23, 30, 0, TimeSpan.Zero);

    public static Dictionary<string, object?> Partner(string name = "Acme IT") => new()
    {
        ["name"] = name,
        ["city"] = "Lyon",
        ["phone"] = "+33 4 00 00 00 00",
    };

    public static Dictionary<string, object?> Recipient(string first, string email) => new()
    {
        ["first_name"] = first,
        ["email"] = email,
    };

    public static LiquidModel Model(string first = "Ada", string? partner = null) => LiquidModel.Create(
        partner: Partner(partner ?? "Acme IT"),
        vendor: new Dictionary<string, object?> { ["name"] = "Contoso" },
        campaign: new Dictionary<string, object?>
        {
            ["title"] = "Spring launch",
            ["intro_html"] = "<p>Meet the <b>new</b> range</p>",
            ["products"] = new List<object?>
            {
                new Dictionary<string, object?> { ["name"] = "Router", ["price"] = 199.5m, ["available"] = true, ["tag"] = "net" },
                new Dictionary<string, object?> { ["name"] = "Switch", ["price"] = 89m, ["available"] = false, ["tag"] = "net" },
                new Dictionary<string, object?> { ["name"] = "Laptop", ["price"] = 1200m, ["available"] = true, ["tag"] = "pc" },
            },
        },
        recipient: Recipient(first, first.ToLowerInvariant() + "@example.com"),
        links: new Dictionary<string, object?> { ["unsubscribe"] = "https://t.example/u/" + first });

    public static LiquidTemplate Parse(string source, LiquidContentKind kind = LiquidContentKind.Html, LiquidLimits? limits = null,
        IReadOnlyDictionary<string, string>? snippets = null)
    {
        var parsed = LiquidTemplate.Parse(source, "email.liquid", kind, limits, snippets);
        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Errors));
        return parsed.Template!;
    }

    public static string Render(string source, LiquidModel? model = null, LiquidContentKind kind = LiquidContentKind.Html, RenderOptions? options = null)
    {
        var result = Parse(source, kind).Render(model ?? Model(), options ?? Options());
        Assert.True(result.Succeeded, result.Error?.ToString());
        return result.Text!;
    }

    public static LiquidError ParseError(string source, LiquidLimits? limits = null, IReadOnlyDictionary<string, string>? snippets = null)
    {
        var parsed = LiquidTemplate.Parse(source, "email.liquid", LiquidContentKind.Html, limits, snippets);
        Assert.False(parsed.Succeeded);
        return Assert.Single(parsed.Errors);
    }

    public static RenderOptions Options(string culture = "en-US", string zone = "UTC", string currency = "USD") => new()
    {
        Culture = CultureInfo.GetCultureInfo(culture),
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(zone),
        Currency = currency,
        Now = Now,
        Tracking = new LiquidTracking("acme-it", "email", "spring-launch"),
    };
}
