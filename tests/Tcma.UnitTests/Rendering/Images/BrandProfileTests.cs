using SkiaSharp;
using Tcma.Domain.Rendering;
using Tcma.Rendering.Images;

namespace Tcma.UnitTests.Rendering.Images;

public class BrandProfileTests
{
    [Theory]
    [InlineData("#000000", "#FFFFFF", 21.0)]
    [InlineData("#777777", "#FFFFFF", 4.48)]
    [InlineData("#FFD500", "#FFFFFF", 1.42)]
    [InlineData("#0B1F4B", "#FFFFFF", 16.01)]
    public void Contrast_matches_wcag(string a, string b, double expected) =>
        Assert.Equal(expected, Contrast.Ratio(Colour.Parse(a), Colour.Parse(b)), 2);

    [Theory]
    [InlineData("#abc", 0xAA, 0xBB, 0xCC, 255)]
    [InlineData(" #0B1F4B ", 0x0B, 0x1F, 0x4B, 255)]
    [InlineData("#0B1F4B80", 0x0B, 0x1F, 0x4B, 0x80)]
    public void Colours_parse(string text, int r, int g, int b, int a) =>
        Assert.Equal(new Colour((byte)r, (byte)g, (byte)b, (byte)a), Colour.Parse(text));

    [Theory]
    [InlineData("navy")]
    [InlineData("0B1F4B")]
    [InlineData("#0B1F4")]
    [InlineData("#GG0000")]
    [InlineData("")]
    public void Non_colours_are_refused_with_a_hint(string text)
    {
        Assert.False(Colour.TryParse(text, out _, out var error));
        Assert.Contains("#", error);
    }

    [Fact]
    public void A_valid_profile_is_normalised()
    {
        var navy = Samples.Navy;
        Assert.Equal("+12025550143", navy.Contact.PhoneE164);
        Assert.Equal("+1 202-555-0143", navy.Contact.PhoneForDisplay);
        Assert.Equal("https://harbour.example.com/", navy.Contact.Website);
        Assert.Equal("harboursys", navy.SocialHandles["x"]);
        Assert.Equal(LogoFormat.Png, navy.Logo.Format);
        Assert.Equal((400, 120), (navy.Logo.Width, navy.Logo.Height));
        Assert.Equal("+302103214567", Samples.Sunny.Contact.PhoneE164);
        Assert.Empty(LogoInspector.Inspect(navy.Logo));
    }

    [Fact]
    public void Every_bad_field_is_reported_at_once_with_its_name()
    {
        var input = Samples.NavyInput with
        {
            PrimaryColour = "navy", SecondaryColour = "#12345", Email = "dana at harbour", Phone = "12",
            Website = "javascript:alert(1)", TimeZone = "Mars/Olympus", Language = "xx-notalanguage", CompanyName = " ",
            SocialHandles = new Dictionary<string, string> { ["myspace"] = "dana", ["x"] = "has spaces in it" },
        };
        var (profile, problems) = BrandProfileValidator.Validate(input);
        Assert.Null(profile);
        var fields = problems.Select(p => p.Field).ToHashSet();
        foreach (var field in new[] { "primaryColour", "secondaryColour", "contact.email", "contact.phone", "contact.website", "timeZone", "language", "companyName", "social.myspace", "social.x" })
            Assert.Contains(field, fields);
        Assert.Contains(problems, p => p.Field == "primaryColour" && p.Message.Contains("'navy' is not a colour"));
        Assert.Contains(problems, p => p.Field == "contact.phone" && p.Message.Contains("'12' is not a phone number in US"));
    }

    [Fact]
    public void A_logo_that_is_not_an_image_is_refused()
    {
        var (_, text) = BrandProfileValidator.Validate(Samples.NavyInput with { Logo = "hello, I am a logo"u8.ToArray(), LogoFileName = "logo.png" });
        Assert.Contains(text, p => p.Field == "logo (logo.png)" && p.Message == "is not a PNG or JPEG image");

        var svg = "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray();
        var (_, svgProblems) = BrandProfileValidator.Validate(Samples.NavyInput with { Logo = svg, LogoFileName = "logo.svg" });
        Assert.Contains(svgProblems, p => p.Message.StartsWith("is an SVG; upload the logo as PNG or JPEG"));
    }

    [Fact]
    public void A_logo_over_the_byte_limit_is_refused_before_decoding()
    {
        var (_, problems) = BrandProfileValidator.Validate(Samples.NavyInput, new LogoLimits(MaxBytes: 1000));
        Assert.Contains(problems, p => p.Message == "is 1,938 bytes; the limit is 1,000 bytes");
    }

    [Fact]
    public void A_decompression_bomb_is_refused_from_its_header()
    {
        // A few dozen bytes that claim 100,000 x 100,000 pixels: 40 GB once decoded.
        var bomb = Samples.Bytes("logos/navy-logo.png")[..33];
        bomb[16] = 0; bomb[17] = 0x01; bomb[18] = 0x86; bomb[19] = 0xA0;
        bomb[20] = 0; bomb[21] = 0x01; bomb[22] = 0x86; bomb[23] = 0xA0;
        var (_, problems) = BrandProfileValidator.Validate(Samples.NavyInput with { Logo = bomb });
        Assert.Contains(problems, p => p.Field == "logo (navy-logo.png)" && p.Message.StartsWith("is 100000x100000 pixels; the limit is 4096x4096"));
    }

    [Fact]
    public void A_transparent_only_logo_passes_the_header_check_but_not_the_pixel_check()
    {
        var (profile, problems) = BrandProfileValidator.Validate(Samples.NavyInput with { Logo = Samples.Bytes("logos/invisible-logo.png") });
        Assert.Empty(problems);
        var pixelProblems = LogoInspector.Inspect(profile!.Logo);
        Assert.Equal("is transparent or nearly so: only 0.0% of its pixels are visible", Assert.Single(pixelProblems).Message);
    }

    [Fact]
    public void A_faint_logo_is_near_invisible()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(64, 64, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(new SKColor(0x0B, 0x1F, 0x4B, 20));
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        var (profile, _) = BrandProfileValidator.Validate(Samples.NavyInput with { Logo = png.ToArray() });
        Assert.StartsWith("is near-invisible", Assert.Single(LogoInspector.Inspect(profile!.Logo)).Message);
    }

    [Fact]
    public void A_jpeg_logo_is_accepted_with_its_size_read_from_the_frame_header()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(320, 90));
        bitmap.Erase(SKColors.DarkBlue);
        using var jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        var (profile, problems) = BrandProfileValidator.Validate(Samples.NavyInput with { Logo = jpeg.ToArray() });
        Assert.Empty(problems);
        Assert.Equal((LogoFormat.Jpeg, 320, 90), (profile!.Logo.Format, profile.Logo.Width, profile.Logo.Height));
    }
}
