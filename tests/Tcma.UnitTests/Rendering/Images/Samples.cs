using System.Runtime.CompilerServices;
using SkiaSharp;
using Tcma.Domain.Rendering;
using Tcma.Rendering.Images;

namespace Tcma.UnitTests.Rendering.Images;

/// <summary>The example kit (fonts, images, templates) and two contrasting partners: a dark navy brand and a bright yellow one.</summary>
internal static class Samples
{
    public static string Folder { get; } = Path.Combine(Path.GetDirectoryName(SourceFile())!, "Samples");
    private static string SourceFile([CallerFilePath] string path = "") => path;

    public static IKitFiles Kit { get; } = new DirectoryKitFiles(Folder, "samples-1");

    public static string[] TemplateFiles { get; } = ["templates/social-banner.json", "templates/event-invitation.json"];

    public static ImageTemplate Template(string file) =>
        TemplateLoader.Load(file, File.ReadAllText(Path.Combine(Folder, file)), Kit);

    public static byte[] Bytes(string file) => File.ReadAllBytes(Path.Combine(Folder, file));

    public static BrandProfileInput NavyInput { get; } = new()
    {
        CompanyName = "Harbour Systems", Logo = Bytes("logos/navy-logo.png"), LogoFileName = "navy-logo.png",
        PrimaryColour = "#0B1F4B", SecondaryColour = "#1D3F7A",
        ContactPerson = "Dana Whitfield", Phone = "(202) 555-0143", Email = "dana@harbour.example.com", Website = "harbour.example.com",
        Street = "1200 Harbor Blvd", City = "Baltimore", Region = "MD", PostalCode = "21230", CountryCode = "US",
        SocialHandles = new Dictionary<string, string> { ["linkedin"] = "harbour-systems", ["x"] = "@harboursys" },
        Tagline = "Secure networks, calm seas", Disclaimer = "Offer valid for new customers until 30 June. Terms apply.",
        TimeZone = "America/New_York", Language = "en-US",
    };

    public static BrandProfileInput SunnyInput { get; } = new()
    {
        CompanyName = "Ήλιος Τεχνολογίες", Logo = Bytes("logos/sunny-logo.png"), LogoFileName = "sunny-logo.png",
        PrimaryColour = "#FFD500", SecondaryColour = "#FFF3A0",
        ContactPerson = "Ελένη Παπαδοπούλου", Phone = "210 321 4567", Email = "eleni@ilios.example.gr", Website = "https://ilios.example.gr",
        Street = "Λεωφόρος Κηφισίας 44", City = "Αθήνα", PostalCode = "115 26", CountryCode = "GR",
        TimeZone = "Europe/Athens", Language = "el-GR",
    };

    public static BrandProfile Navy { get; } = Valid(NavyInput);
    public static BrandProfile Sunny { get; } = Valid(SunnyInput);
    public static BrandProfile[] Brands { get; } = [Navy, Sunny];

    private static BrandProfile Valid(BrandProfileInput input)
    {
        var (profile, problems) = BrandProfileValidator.Validate(input);
        return profile ?? throw new InvalidOperationException(string.Join("; ", problems));
    }

    public static Dictionary<string, string> Inputs() => new()
    {
        ["campaign.headline"] = "Cloud security that keeps up with your business",
        ["campaign.body"] = "Book a free 30-minute assessment with your local expert.",
        ["campaign.details"] = "Our certified team reviews your network, your cloud accounts and your backups, and hands you a short written plan.",
        ["campaign.call_to_action"] = "Book now",
        ["event.title"] = "Café Sécurité · Σεμινάριο ασφάλειας · Семинар",
        ["event.details"] = "Ελάτε στο δωρεάν εργαστήριο — Приходите на бесплатный семинар — Zürich, Kraków, São Paulo.",
        ["event.register"] = "Scan the code to register: one seat per company.",
        ["tracked_url"] = "https://t.example.com/r/8f2c1a?p=harbour",
    };

    public static ITextResolver Text(BrandProfile brand, IReadOnlyDictionary<string, string>? inputs = null) =>
        PlaceholderTextResolver.For(brand, inputs ?? Inputs());

    public static SKBitmap Decode(byte[] bytes)
    {
        using var codec = SKCodec.Create(new MemoryStream(bytes)) ?? throw new InvalidOperationException("undecodable output");
        return SKBitmap.Decode(codec, new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
    }

    /// <summary>Pixels that differ between two renders of the same size (RGB distance above a small tolerance).</summary>
    public static List<(int X, int Y)> Differences(byte[] a, byte[] b, int tolerance = 8)
    {
        using var left = Decode(a);
        using var right = Decode(b);
        Assert.Equal((left.Width, left.Height), (right.Width, right.Height));
        var p = left.GetPixelSpan();
        var q = right.GetPixelSpan();
        var diffs = new List<(int, int)>();
        for (var i = 0; i < p.Length; i += 4)
            if (Math.Abs(p[i] - q[i]) + Math.Abs(p[i + 1] - q[i + 1]) + Math.Abs(p[i + 2] - q[i + 2]) > tolerance)
                diffs.Add((i / 4 % left.Width, i / 4 / left.Width));
        return diffs;
    }

    /// <summary>The same template without one layer, under its own content hash so no cached static layers are shared.</summary>
    public static ImageTemplate Without(ImageTemplate template, RenderSize size, Layer layer) => template with
    {
        ContentSha256 = template.ContentSha256 + "-without-" + layer.Place,
        LayersBySize = template.LayersBySize.SetItem(size, template.LayersBySize[size].Remove(layer)),
    };

    public static string OutputFolder
    {
        get
        {
            var folder = Path.Combine(Path.GetTempPath(), "tcma-render-samples");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }
}
