using System.Text;
using Tcma.Domain.Rendering;
using Tcma.Rendering.Images;

namespace Tcma.UnitTests.Rendering.Images;

public sealed class TemplateRenderingTests : IDisposable
{
    private readonly ImageRenderer _renderer = new();
    public void Dispose() => _renderer.Dispose();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Samples.TemplateFiles)
        foreach (var brand in new[] { "navy", "sunny" })
            data.Add(file, brand);
        return data;
    }

    private static BrandProfile Brand(string name) => name == "navy" ? Samples.Navy : Samples.Sunny;

    private RenderResult Render(ImageTemplate template, BrandProfile brand, RenderSize size, ImageFormat format = ImageFormat.Png, Dictionary<string, string>? inputs = null)
    {
        var result = _renderer.Render(template, Samples.Kit, brand, Samples.Text(brand, inputs), size, format);
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Report.Errors));
        return result;
    }

    [Theory, MemberData(nameof(Cases))]
    public void Every_size_and_format_renders_at_its_declared_dimensions(string file, string brandName)
    {
        var template = Samples.Template(file);
        var brand = Brand(brandName);
        foreach (var size in template.Sizes)
        foreach (var format in template.Formats)
        {
            var result = Render(template, brand, size, format);
            using var bitmap = Samples.Decode(result.Bytes!);
            Assert.Equal((size.Width, size.Height), (bitmap.Width, bitmap.Height));
            Assert.Equal(ImageRenderer.ContentTypeOf(format), result.ContentType);
            if (format == ImageFormat.Png)
                File.WriteAllBytes(Path.Combine(Samples.OutputFolder, $"{Path.GetFileNameWithoutExtension(file)}-{brandName}-{size}.png"), result.Bytes!);
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void Text_lands_inside_its_box_and_nowhere_else(string file, string brandName)
    {
        var template = Samples.Template(file);
        var brand = Brand(brandName);
        foreach (var size in template.Sizes)
        {
            var full = Render(template, brand, size);
            foreach (var layer in template.LayersBySize[size].OfType<TextLayer>())
            {
                var without = Render(Samples.Without(template, size, layer), brand, size);
                var diffs = Samples.Differences(full.Bytes!, without.Bytes!);
                var box = full.Report.Placements.Single(p => p.Place == layer.Place);
                Assert.True(diffs.Count > 50, $"{file} {size} {layer.Place}: only {diffs.Count} text pixels");
                var outside = diffs.Where(d => !box.Contains(d.X, d.Y, tolerance: 1)).ToList();
                Assert.True(outside.Count == 0, $"{file} {size} {layer.Place}: {outside.Count} text pixels outside {box}, first at {outside.FirstOrDefault()}");
            }
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void The_logo_lands_inside_its_slot_keeping_its_shape(string file, string brandName)
    {
        var template = Samples.Template(file);
        var brand = Brand(brandName);
        foreach (var size in template.Sizes)
        foreach (var layer in template.LayersBySize[size].OfType<LogoLayer>())
        {
            var full = Render(template, brand, size);
            var diffs = Samples.Differences(full.Bytes!, Render(Samples.Without(template, size, layer), brand, size).Bytes!);
            var slot = full.Report.Placements.Single(p => p.Place == layer.Place);
            Assert.True(diffs.Count > slot.Width * slot.Height / 10, $"{size}: the logo left only {diffs.Count} pixels in a {slot.Width}x{slot.Height} slot");
            Assert.All(diffs, d => Assert.True(slot.Contains(d.X, d.Y, tolerance: 1), $"{size}: logo pixel {d} outside its slot {slot}"));
        }
    }

    [Fact]
    public void The_logo_alone_keeps_its_aspect_ratio()
    {
        // A logo whose ink fills its whole 400x120 canvas: what the layer adds is exactly the fitted logo.
        using var bitmap = new SkiaSharp.SKBitmap(400, 120);
        bitmap.Erase(new SkiaSharp.SKColor(0x0B, 0x1F, 0x4B));
        using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        var (brand, problems) = BrandProfileValidator.Validate(Samples.NavyInput with { Logo = png.ToArray() });
        Assert.Empty(problems);
        var json = """{"name":"logo only","sizes":[{"width":800,"height":400}],"layers":[{"type":"fill","colour":"#FFFFFF"},{"type":"logo","box":{"x":0.1,"y":0.1,"w":0.8,"h":0.8},"padding":0,"plate":"none"}]}""";
        var template = TemplateLoader.Load("logo-only.json", json, Samples.Kit);
        var size = new RenderSize(800, 400);
        var full = Render(template, brand!, size);
        var diffs = Samples.Differences(full.Bytes!, Render(Samples.Without(template, size, template.LayersBySize[size][1]), brand!, size).Bytes!);
        var (w, h) = (diffs.Max(d => d.X) - diffs.Min(d => d.X) + 1, diffs.Max(d => d.Y) - diffs.Min(d => d.Y) + 1);
        Assert.Equal(640, w, 1.0); // the slot's full width, 800 * 0.8
        Assert.Equal(192, h, 1.0); // and the height that keeps 400:120
        Assert.Equal(200 - 96, diffs.Min(d => d.Y), 1.0); // centred vertically in the slot
    }

    [Fact]
    public void The_yellow_brand_takes_the_contrast_fallback_and_the_preview_says_so()
    {
        var template = Samples.Template("templates/social-banner.json");
        var sunny = _renderer.Preview(template, Samples.Kit, Samples.Sunny, Samples.Text(Samples.Sunny));
        var navy = _renderer.Preview(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy));
        Assert.Empty(sunny.Errors);
        Assert.Empty(navy.Errors);
        Assert.Contains(sunny.Warnings, w => w.Place.StartsWith("1200x628") && w.Message.StartsWith("contrast fallback used for text box 'headline': #FFFFFF has 1.2:1"));
        Assert.Contains(sunny.Warnings, w => w.Message.StartsWith("contrast fallback used for text box 'button label': brand.primary (#FFD500) has 1.4:1"));
        Assert.DoesNotContain(navy.Warnings, w => w.Message.StartsWith("contrast fallback"));

        // And the fallback really is what was drawn: dark text pixels inside the headline box.
        var size = new RenderSize(1200, 628);
        var result = Render(template, Samples.Sunny, size);
        var box = result.Report.Placements.Single(p => p.Place == "layers[2] 'headline'");
        using var bitmap = Samples.Decode(result.Bytes!);
        var darkest = Enumerable.Range(box.X, box.Width).SelectMany(x => Enumerable.Range(box.Y, box.Height).Select(y => bitmap.GetPixel(x, y)))
            .Min(c => c.Red + c.Green + c.Blue);
        Assert.True(darkest < 3 * 0x30, $"darkest headline pixel sums to {darkest}");
    }

    [Fact]
    public void A_logo_that_would_vanish_gets_a_plate_and_the_report_says_so()
    {
        var template = Samples.Template("templates/social-banner.json");
        var result = Render(template, Samples.Sunny, new(1200, 628));
        Assert.Contains(result.Report.Warnings, w => w.Place == "layers[1] 'partner logo'" && w.Message.StartsWith("logo plate #111111 added"));
    }

    [Fact]
    public void Identical_inputs_give_identical_bytes_with_or_without_caches()
    {
        var template = Samples.Template("templates/social-banner.json");
        using var uncached = new ImageRenderer(new ImageRendererOptions { CacheStaticLayers = false });
        foreach (var format in template.Formats)
        {
            var first = Render(template, Samples.Navy, new(1200, 628), format).Bytes!;
            var again = Render(template, Samples.Navy, new(1200, 628), format).Bytes!;
            var cold = uncached.Render(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy), new(1200, 628), format).Bytes!;
            Assert.Equal(first, again);
            Assert.Equal(first, cold);
        }
        var pdf1 = _renderer.RenderPdf(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy)).Bytes!;
        var pdf2 = uncached.RenderPdf(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy)).Bytes!;
        Assert.Equal(pdf1, pdf2);
    }

    [Fact]
    public void The_render_key_changes_with_every_input_and_only_then()
    {
        var template = Samples.Template("templates/social-banner.json");
        var size = new RenderSize(1200, 628);
        string Key(BrandProfile brand, Dictionary<string, string> inputs, ImageFormat format = ImageFormat.Png) =>
            RenderKey.For(template, Samples.Kit.Version, brand, inputs, size, format);
        var key = Key(Samples.Navy, Samples.Inputs());
        Assert.Equal(key, Key(Samples.Navy, new Dictionary<string, string>(Samples.Inputs().Reverse())));
        Assert.Equal(64, key.Length);
        var changed = new[]
        {
            Key(Samples.Sunny, Samples.Inputs()),
            Key(Samples.Navy with { PrimaryColour = Colour.Parse("#0B1F4C") }, Samples.Inputs()),
            Key(Samples.Navy, new Dictionary<string, string>(Samples.Inputs()) { ["campaign.headline"] = "Another headline" }),
            Key(Samples.Navy, Samples.Inputs(), ImageFormat.Jpeg),
            RenderKey.For(template, "samples-2", Samples.Navy, Samples.Inputs(), size, ImageFormat.Png),
            RenderKey.For(template, Samples.Kit.Version, Samples.Navy, Samples.Inputs(), new(1080, 1080), ImageFormat.Png),
            RenderKey.ForPdf(template, Samples.Kit.Version, Samples.Navy, Samples.Inputs()),
        };
        Assert.DoesNotContain(key, changed);
        Assert.Equal(changed.Length, changed.Distinct().Count());
    }

    [Fact]
    public void Text_that_cannot_fit_is_an_error_at_preview_and_nothing_is_rendered()
    {
        var template = Samples.Template("templates/social-banner.json");
        var inputs = Samples.Inputs();
        inputs["campaign.headline"] = string.Join(" ", Enumerable.Repeat("Cloud security that keeps up with your business", 20));
        var result = _renderer.Render(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy, inputs), new(1200, 628), ImageFormat.Png);
        Assert.Null(result.Bytes);
        var error = Assert.Single(result.Report.Errors);
        Assert.Equal("templates/social-banner.json", error.File);
        Assert.Equal("layers[2] 'headline'", error.Place);
        Assert.StartsWith("the text does not fit its 744x201 px box even at minSize 22 px: it needs", error.Message);

        var preview = _renderer.Preview(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy, inputs));
        Assert.Contains(preview.Errors, e => e.Place == "1200x628: layers[2] 'headline'");
        Assert.Contains(preview.Errors, e => e.Place.StartsWith("pdf: "));
    }

    [Fact]
    public void A_script_the_kit_font_lacks_is_an_error_never_empty_boxes()
    {
        var template = Samples.Template("templates/event-invitation.json");
        var inputs = Samples.Inputs();
        inputs["event.title"] = "セキュリティ セミナー";
        var result = _renderer.Render(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy, inputs), new(1200, 628), ImageFormat.Png);
        Assert.Null(result.Bytes);
        Assert.Contains("font 'fonts/DejaVuSans-Bold.ttf' has no glyphs for 'セ' (U+30BB)", Assert.Single(result.Report.Errors).Message);
    }

    [Fact]
    public void An_unknown_placeholder_is_an_error_naming_the_layer()
    {
        var template = Samples.Template("templates/social-banner.json");
        var inputs = Samples.Inputs();
        inputs.Remove("campaign.call_to_action");
        var result = _renderer.Render(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy, inputs), new(1200, 628), ImageFormat.Png);
        Assert.Null(result.Bytes);
        var error = Assert.Single(result.Report.Errors);
        Assert.Equal("layers[5] 'button label'", error.Place);
        Assert.StartsWith("'{{ campaign.call_to_action }}' names nothing known", error.Message);
    }

    [Theory, MemberData(nameof(Cases))]
    public void The_pdf_form_has_vector_text_with_embedded_fonts(string file, string brandName)
    {
        var template = Samples.Template(file);
        var brand = Brand(brandName);
        var result = _renderer.RenderPdf(template, Samples.Kit, brand, Samples.Text(brand));
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Report.Errors));
        var pdf = Encoding.Latin1.GetString(result.Bytes!);
        Assert.StartsWith("%PDF-", pdf);
        Assert.Equal(template.Pdf!.Pages.Length, System.Text.RegularExpressions.Regex.Matches(pdf, @"/Type /Page\b").Count);
        Assert.Contains("/FontFile2", pdf);
        Assert.DoesNotContain("/CreationDate", pdf);
        File.WriteAllBytes(Path.Combine(Samples.OutputFolder, $"{Path.GetFileNameWithoutExtension(file)}-{brandName}.pdf"), result.Bytes!);
        Assert.Equal(result.Bytes, _renderer.RenderPdf(template, Samples.Kit, brand, Samples.Text(brand)).Bytes);
    }

    [Fact]
    public void An_undeclared_size_or_format_is_refused()
    {
        var template = Samples.Template("templates/event-invitation.json");
        var wrongSize = _renderer.Render(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy), new(1080, 1080), ImageFormat.Png);
        Assert.Contains("does not declare size 1080x1080", Assert.Single(wrongSize.Report.Errors).Message);
        var wrongFormat = _renderer.Render(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy), new(1200, 628), ImageFormat.Webp);
        Assert.Contains("does not declare format webp", Assert.Single(wrongFormat.Report.Errors).Message);
    }
}
