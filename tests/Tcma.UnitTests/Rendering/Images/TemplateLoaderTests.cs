using Tcma.Rendering.Images;

namespace Tcma.UnitTests.Rendering.Images;

public class TemplateLoaderTests
{
    private static IReadOnlyList<RenderIssue> Errors(string json, IKitFiles? kit = null) =>
        TemplateLoader.TryLoad("templates/broken.json", json, kit ?? Samples.Kit).Errors;

    private const string Text = """{"type":"text","name":"headline","text":"{{ partner.company_name }}","font":"fonts/DejaVuSans.ttf"}""";

    [Fact]
    public void The_examples_load_with_every_size()
    {
        var banner = Samples.Template("templates/social-banner.json");
        Assert.Equal(["1200x628", "1080x1080", "1584x396", "600x200"], banner.Sizes.Select(s => s.ToString()));
        // Hidden for the email header: the body, button and its label.
        Assert.Equal(3, banner.LayersBySize[new(600, 200)].Length);
        Assert.Equal(0.26, banner.LayersBySize[new(1584, 396)].OfType<TextLayer>().First().Box.X);
        Assert.Equal(2, Samples.Template("templates/event-invitation.json").Pdf!.Pages.Length);
    }

    [Fact]
    public void Malformed_json_names_the_line()
    {
        var error = Assert.Single(Errors("{\n  \"name\": \"x\",\n  \"sizes\": [ { \"width\": 100 \n}"));
        Assert.Equal("templates/broken.json", error.File);
        Assert.StartsWith("line ", error.Place);
        Assert.Contains("is not valid JSON", error.Message);
    }

    [Fact]
    public void An_unknown_layer_type_is_named_with_its_place()
    {
        var error = Assert.Single(Errors("""{"name":"x","sizes":[{"width":100,"height":100}],"layers":[{"type":"fill"},{"type":"sparkles","name":"confetti"}]}"""));
        Assert.Equal("layers[1] 'confetti'", error.Place);
        Assert.StartsWith("unknown layer type 'sparkles'", error.Message);
    }

    [Fact]
    public void A_font_the_kit_lacks_fails_validation()
    {
        var error = Assert.Single(Errors("""{"name":"x","sizes":[{"width":100,"height":100}],"layers":[""" + Text.Replace("DejaVuSans.ttf", "Inter.ttf") + "]}"));
        Assert.Equal("templates/broken.json, layers[0] 'headline' (size 100x100): font 'fonts/Inter.ttf' is not in the kit (version samples-1); add the font file to the kit or name one it has", error.ToString());
    }

    [Fact]
    public void A_missing_image_and_a_misspelt_property_are_both_reported()
    {
        var errors = Errors("""{"name":"x","sizes":[{"width":100,"height":100}],"layers":[{"type":"image","file":"images/nope.png"},{"type":"fill","colr":"#fff"}]}""");
        Assert.Contains(errors, e => e.Place.StartsWith("layers[0]") && e.Message.Contains("image 'images/nope.png' is not in the kit"));
        Assert.Contains(errors, e => e.Place.StartsWith("layers[1]") && e.Message.Contains("colr"));
    }

    [Fact]
    public void An_image_too_large_is_refused_by_its_header()
    {
        var bomb = Samples.Bytes("images/stripes.png");
        bomb[16] = 0; bomb[17] = 0; bomb[18] = 0x4E; bomb[19] = 0x20; // 20,000 wide
        bomb[20] = 0; bomb[21] = 0; bomb[22] = 0x4E; bomb[23] = 0x20; // 20,000 high
        var kit = new InMemoryKitFiles("v1", new Dictionary<string, byte[]> { ["big.png"] = bomb });
        var error = Assert.Single(Errors("""{"name":"x","sizes":[{"width":100,"height":100}],"layers":[{"type":"image","file":"big.png"}]}""", kit));
        Assert.Contains("image 'big.png' is 20000x20000 pixels; the limit is 25,000,000 pixels", error.Message);
    }

    [Fact]
    public void Bad_boxes_colours_sizes_and_formats_are_each_reported()
    {
        var errors = Errors("""{"name":"x","sizes":[{"width":5,"height":100}],"formats":["gif"],"layers":[{"type":"fill","colour":"blue","box":{"x":0.8,"y":0,"w":0.5,"h":1}}]}""");
        Assert.Contains(errors, e => e.Place == "sizes[0]");
        Assert.Contains(errors, e => e.Place == "formats[0]" && e.Message.Contains("'gif'"));
        var noSizes = Errors("""{"name":"x","sizes":[{"width":100,"height":100}],"layers":[{"type":"fill","colour":"blue","box":{"x":0.8,"y":0,"w":0.5,"h":1}}]}""");
        Assert.Contains(noSizes, e => e.Message.Contains("box must be"));
        Assert.Contains(noSizes, e => e.Message.Contains("'blue' is not a colour"));
    }
}
