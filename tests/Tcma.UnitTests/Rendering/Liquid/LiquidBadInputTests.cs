using Tcma.Rendering.Liquid;
using static Tcma.UnitTests.Rendering.Liquid.LiquidTestData;

namespace Tcma.UnitTests.Rendering.Liquid;

/// <summary>Hostile or broken templates: each is answered with an error naming file, line and column, and nothing else happens.</summary>
public class LiquidBadInputTests
{
    [Fact]
    public void A_hundred_megabyte_string_built_by_append_in_a_loop_stops_at_the_size_limit_without_filling_memory()
    {
        // 1,000 appends of a 100,000-character chunk would be 100 MB; the value is refused when it passes 512 K.
        var source = "{% capture chunk %}{% for i in (1..1000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endcapture %}\n"
            + "{% assign s = '' %}{% for i in (1..1000) %}\n  {% assign s = s | append: chunk %}{% endfor %}{{ s }}";
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var result = Parse(source).Render(Model(), Options());
        var megabytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / 1024.0;
        Assert.Null(result.Text);
        Assert.Equal(new LiquidError("email.liquid", 3, 3, "'assign s' made a value larger than the limit of 524,288 characters"), result.Error);
        Assert.True(megabytes < 40, $"the render allocated {megabytes:0} MB");
    }

    [Theory]
    [InlineData("{% for i in (1..10000000) %}{{ i }}{% endfor %}", "a loop went over the limit of 1,000 iterations")]
    [InlineData("{{ (1..10000000) | join: ',' }}", "a range went over the limit of 1,000 items")]
    [InlineData("{{ 'a,b' | split: ',' | concat: (1..800) | concat: (1..800) | join: ',' }}", "'concat' went over the limit of 1,000 items")]
    [InlineData("{% tablerow i in (1..10000000) %}{% endtablerow %}", "a loop went over the limit of 1,000 iterations")]
    [InlineData("{% assign r = (1..10000000) %}{{ r | size }}", "a range went over the limit of 1,000 items")]
    public void A_ten_million_element_range_is_refused_before_it_is_built(string source, string message)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var result = Parse("\n" + source).Render(Model(), Options());
        Assert.Equal(message, result.Error?.Message);
        Assert.Equal((2, 1), (result.Error!.Line, result.Error.Column));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 10_000_000);
    }

    [Fact]
    public void A_capture_inside_a_ten_thousand_deep_chain_of_snippets_is_refused_at_parse()
    {
        var snippets = Enumerable.Range(0, 10_000).ToDictionary(i => "s" + i,
            i => i == 9_999 ? "end" : $"{{% capture c %}}{{% render 's{i + 1}' %}}{{% endcapture %}}{{{{ c }}}}");
        var parsed = LiquidTemplate.Parse("{% render 's0' %}", "email.liquid", LiquidContentKind.Html, null, snippets);
        Assert.False(parsed.Succeeded);
        Assert.True(parsed.Errors.Contains(new LiquidError("s7", 1, 16, "snippets are nested more than 8 deep")), string.Join("\n", parsed.Errors));
        Assert.Equal(new LiquidError("email.liquid", 1, 1, "snippet 's0' has errors"), parsed.Errors[^1]);

        // Shopify's include would share the caller's variables down the chain: it is refused outright.
        Assert.Equal("'include' is not supported; use 'render', which keeps the snippet's variables separate",
            ParseError("{% capture c %}{% include 's0' %}{% endcapture %}", snippets: snippets).Message);
    }

    [Theory]
    [InlineData("{{ 'a' | append }}", 3, "Wrong number of arguments for 'append' (given 0, expected 1)")]
    [InlineData("{{ 'a' | append: 'b', 'c' }}", 3, "Wrong number of arguments for 'append' (given 2, expected 1)")]
    [InlineData("{{ 'a' | upcase: 1 }}", 3, "Wrong number of arguments for 'upcase' (given 1, expected 0)")]
    [InlineData("{% assign x = 'a,b' | split %}", 3, "Wrong number of arguments for 'split' (given 0, expected 1)")]
    [InlineData("{% if false %}{{ campaign.products | where: 'a', 'b', 'c' }}{% endif %}", 17, "Wrong number of arguments for 'where' (given 3, expected 1 to 2)")]
    public void A_filter_given_the_wrong_number_of_arguments_is_refused_at_upload_even_in_a_branch_no_preview_takes(string markup, int column, string message)
    {
        Assert.Equal(new LiquidError("email.liquid", 2, column, message), ParseError("<p>\n  " + markup + "</p>"));
    }

    [Theory]
    [InlineData("{{ 'abc' | truncate: 'many' }}", "'truncate' failed: invalid integer")]
    [InlineData("{{ 'abc' | slice: 'x' }}", "'slice' failed: offset argument is an invalid number")]
    [InlineData("{{ 10 | divided_by: 'zero' }}", "'divided_by' failed: divided by 0")]
    [InlineData("{{ 'x' | concat: 'not a list' }}", "'concat' failed: argument must be an array")]
    public void A_filter_given_an_argument_of_the_wrong_type_fails_the_render_with_its_place(string output, string message)
    {
        var result = Parse("<p>\n  " + output + "</p>").Render(Model(), Options());
        Assert.Null(result.Text);
        Assert.Equal(new LiquidError("email.liquid", 2, 3, message), result.Error);
    }
}
