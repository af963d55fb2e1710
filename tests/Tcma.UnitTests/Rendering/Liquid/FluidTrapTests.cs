using System.Globalization;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;

namespace Tcma.UnitTests.Rendering.Liquid;

/// <summary>
/// Where plain Fluid 3.0 would break the contract of shared/Tcma.Rendering/Liquid/README.md, shown to exist, so
/// each workaround in our engine says why it is there; if an upgrade fixes one, its test says so and the workaround can go.
/// </summary>
public class FluidTrapTests
{
    private static readonly FluidParser Parser = new();

    private static string Render(string source, TemplateContext context, TextEncoder encoder) => Parser.Parse(source).Render(context, encoder);

    [Fact]
    public void Plain_Fluid_prints_a_recipients_markup_raw_once_it_is_appended_to_a_captured_block()
    {
        // Why escaping is decided from the expression (LiquidCompiler.Rewriter), not left to Fluid's HTML encoder.
        var context = new TemplateContext();
        context.SetValue("name", "<script>x</script>");
        Assert.Equal("<b>hi</b><script>x</script>", Render("{% capture c %}<b>hi</b>{% endcapture %}{{ c | append: name }}", context, HtmlEncoder.Default));
    }

    [Fact]
    public void Plain_Fluid_accepts_any_filter_name_and_prints_the_value_unchanged()
    {
        // Why an unknown filter is a validation error at upload: a typo would otherwise pass silently.
        Assert.Equal("19.5", Render("{{ 19.5 | monye }}", new TemplateContext(), NullEncoder.Default));
    }

    [Fact]
    public void Plain_Fluid_prints_numbers_in_the_contexts_culture()
    {
        // Why the context's culture stays invariant and only money and date use the partner's language.
        var context = new TemplateContext { CultureInfo = CultureInfo.GetCultureInfo("de-DE") };
        Assert.Equal("1234,5", Render("{{ 1234.5 }}", context, NullEncoder.Default));
    }

    [Fact]
    public void Plain_Fluid_prints_a_dated_string_in_its_own_zone_not_the_contexts()
    {
        // Why date is ours: the partner's recipients read the time in the partner's zone.
        var context = new TemplateContext { TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris") };
        Assert.Equal("10:00", Render("{{ '2026-01-02T10:00:00Z' | date: '%H:%M' }}", context, NullEncoder.Default));
    }

    [Fact]
    public void Plain_Fluid_renders_snippets_from_the_options_file_provider_by_path()
    {
        // Why render goes through SnippetStatement: one process-wide provider cannot tell one kit's 'footer' from another's.
        var context = new TemplateContext(new TemplateOptionsBuilder().Build());
        context.SetValue("x", StringValue.Create("y"));
        Assert.ThrowsAny<FileNotFoundException>(() => Render("{% render 'footer' %}", context, NullEncoder.Default));
    }
}
