using System.Runtime.CompilerServices;
using Tcma.Domain.Kits;
using Tcma.Domain.Rendering;
using Tcma.Functions.Kits;
using Tcma.Rendering.CoBranding;
using Tcma.Rendering.Images;

namespace Tcma.UnitTests.Rendering;

/// <summary>
/// The co-branding defect found by trying the demo: a navy logo on a navy email header is invisible. Emails now get the
/// image renderer's own logo rule through the model, the sample emails use it, and kit checks warn about emails that don't.
/// </summary>
public sealed class EmailLogoRuleTests
{
    private static string Repo([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    private static BrandProfile Demo(string primary)
    {
        var (profile, problems) = BrandProfileValidator.Validate(new BrandProfileInput
        {
            CompanyName = "Harbour IT Services", Logo = File.ReadAllBytes(Path.Combine(Repo(), "campaign-templates", "demo-partner", "logo.png")), LogoFileName = "logo.png",
            PrimaryColour = primary, SecondaryColour = "#1E4FA3", ContactPerson = "Dana Ortiz", Phone = "+1 617 555 0143", Email = "dana@harbour-it.example",
            Website = "https://harbour-it.example", Street = "200 Atlantic Avenue", City = "Boston", Region = "MA", PostalCode = "02110", CountryCode = "US",
            TimeZone = "America/New_York", Language = "en-US",
        });
        return profile ?? throw new InvalidOperationException(string.Join("; ", problems));
    }

    [Fact]
    public void The_rule_gives_a_logo_a_plate_only_where_it_would_not_stand_out()
    {
        var navy = Colour.Parse("#0B1F4B");
        Assert.Equal(Colour.White, LogoPlate.For(navy, navy));
        Assert.Null(LogoPlate.For(navy, Colour.White));
        Assert.Equal(LogoPlate.Dark, LogoPlate.For(Colour.White, Colour.Parse("#FFF3A0")));
        Assert.Null(LogoPlate.For(Colour.White, navy));
    }

    [Fact]
    public void The_demo_partners_navy_logo_gets_a_white_plate_on_its_navy_header_and_none_on_white()
    {
        var onNavy = CoBrandingModel.Partner(Demo("#0B1F4B"));
        Assert.Equal("#FFFFFF", onNavy["logo_plate_on_primary"]);
        Assert.Equal("#FFFFFF", onNavy["logo_plate_on_white"]);

        // On a light brand colour the logo shows as it is: the "plate" is the header's own colour.
        var onSky = CoBrandingModel.Partner(Demo("#BFE3FF"));
        Assert.Equal("#BFE3FF", onSky["logo_plate_on_primary"]);
    }

    [Fact]
    public void The_email_and_the_image_renderer_decide_alike_for_the_same_logo_and_background()
    {
        var brand = Demo("#0B1F4B");
        var logo = LogoInspector.AverageColour(brand.Logo);
        Assert.True(Contrast.Ratio(logo, brand.PrimaryColour) < Contrast.LargeMinimum, $"the demo logo (average {logo}) is dark");
        Assert.Equal(LogoPlate.For(logo, brand.PrimaryColour)?.ToString(), CoBrandingModel.Partner(brand)["logo_plate_on_primary"]);
    }

    [Fact]
    public void Kit_checks_warn_about_an_email_that_shows_the_logo_without_the_plate_and_not_about_the_samples()
    {
        static KitManifest Manifest(params (string Id, string File)[] emails) => new()
        {
            Id = "k", Name = "Kit", Vendor = "V", Version = "1", Languages = ["en"], Schedule = [],
            Content = new KitContent { Emails = emails.Select(e => new KitEmail(e.Id, "s", e.File, "t.txt")).ToList() },
        };
        var files = new KitFiles(new Dictionary<string, byte[]>
        {
            ["bare.html"] = "<td style=\"background:{{ partner.primary_colour }}\"><img src=\"{{ links.logo }}\"></td>"u8.ToArray(),
            ["plated.html"] = "<span style=\"background:{{ partner.logo_plate_on_primary }}\"><img src=\"{{links.logo}}\"></span>"u8.ToArray(),
            ["nologo.html"] = "<p>{{ partner.company_name }}</p>"u8.ToArray(),
        });

        var warning = Assert.Single(EmailLogoCheck.Warnings(Manifest(("a", "bare.html"), ("b", "plated.html"), ("c", "nologo.html")), files));
        Assert.Equal("bare.html", warning.File);
        Assert.Equal("email 'a'", warning.Place);
        Assert.Contains("partner.logo_plate_on_primary", warning.Message);

        foreach (var folder in Directory.EnumerateDirectories(Path.Combine(Repo(), "campaign-templates")).Where(d => File.Exists(Path.Combine(d, "kit.json"))))
        {
            var kit = KitChecks.ReadFolder(folder);
            var (manifest, problems) = KitChecks.Check(kit);
            Assert.True(manifest is not null, string.Join("; ", problems));
            Assert.Empty(EmailLogoCheck.Warnings(manifest, kit));
        }
    }
}
