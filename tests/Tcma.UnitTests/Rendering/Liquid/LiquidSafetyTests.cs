using Tcma.Rendering.Liquid;
using static Tcma.UnitTests.Rendering.Liquid.LiquidTestData;

namespace Tcma.UnitTests.Rendering.Liquid;

/// <summary>What an untrusted template must never do to the process or to another recipient, each proven stopped.</summary>
public class LiquidSafetyTests
{
    [Fact]
    public void A_cached_template_does_not_carry_assigns_into_the_next_render()
    {
        // An engine that keeps assigns on the template (DotLiquid did) would give recipient B the name of A.
        var template = Parse("{% if recipient.first_name == 'Ada' %}{% assign greeting = recipient.first_name %}{% endif %}[{{ greeting }}]");
        Assert.Equal("[Ada]", template.Render(Model("Ada"), Options()).Text);
        Assert.Equal("[]", template.Render(Model("Bob"), Options()).Text);
    }

    [Fact]
    public void A_prepared_launch_does_not_carry_assigns_between_recipients()
    {
        var template = Parse("{% if recipient.first_name == 'Ada' %}{% assign greeting = recipient.first_name %}{% endif %}[{{ greeting }}]{% increment n %}");
        var launch = template.PrepareLaunch(Model(), Options()).Launch!;
        Assert.Equal("[Ada]0", launch.Render(LiquidModel.ForRecipient(Recipient("Ada", "a@x.example"))).Text);
        Assert.Equal("[]0", launch.Render(LiquidModel.ForRecipient(Recipient("Bob", "b@x.example"))).Text);
    }

    [Fact]
    public void A_launch_prepared_from_a_full_model_shares_nothing_of_that_recipient()
    {
        var launch = Parse("{{ partner.name }}|{{ recipient.first_name }}|{{ links.unsubscribe }}").PrepareLaunch(Model("Ada"), Options()).Launch!;
        Assert.Equal("Acme IT|Bob|", launch.Render(LiquidModel.ForRecipient(Recipient("Bob", "b@x.example"))).Text);
    }

    [Fact]
    public void Renders_in_parallel_from_one_template_each_get_their_own_data()
    {
        var template = Parse("{% assign me = recipient.first_name %}{% for p in campaign.products %}{% capture c %}{{ me }}-{{ p.name }}{% endcapture %}{{ c }};{% endfor %}{% cycle 'a','b' %}");
        var launch = template.PrepareLaunch(Model(), Options()).Launch!;
        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var name = "R" + i;
            var expected = $"{name}-Router;{name}-Switch;{name}-Laptop;a";
            Assert.Equal(expected, template.Render(Model(name), Options()).Text);
            Assert.Equal(expected, launch.Render(LiquidModel.ForRecipient(Recipient(name, "r@x.example"))).Text);
        });
    }

    [Fact]
    public void A_loop_over_a_huge_range_fails_with_a_clear_error_instead_of_running_for_ever()
    {
        var result = Parse("line one\n  {% for i in (1..1000000000) %}x{% endfor %}").Render(Model(), Options());
        Assert.False(result.Succeeded);
        Assert.Null(result.Text);
        Assert.Equal(new LiquidError("email.liquid", 2, 3, "a loop went over the limit of 1,000 iterations"), result.Error);
    }

    [Theory]
    [InlineData("{% tablerow i in (1..100000) %}{% endtablerow %}")]
    [InlineData("{% render 'box' for (1..100000) as i %}")]
    public void Other_loops_are_capped_too(string source)
    {
        var template = Parse(source, snippets: new Dictionary<string, string> { ["box"] = "x" });
        var result = template.Render(Model(), Options());
        Assert.Contains("over the limit of 1,000 iterations", result.Error?.Message);
    }

    [Fact]
    public void Nested_loops_that_never_finish_are_stopped_by_the_time_limit()
    {
        // No step limit here, so only the clock can stop it.
        var limits = new LiquidLimits { RenderTimeout = TimeSpan.FromMilliseconds(200), MaxSteps = 0 };
        var template = Parse("{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}", limits: limits);
        var result = template.Render(Model(), Options());
        Assert.False(result.Succeeded);
        Assert.Contains("took longer than the limit of 0.2 s", result.Error!.Message);
    }

    [Fact]
    public void Nested_loops_are_stopped_by_the_step_limit_the_same_way_on_any_machine()
    {
        var template = Parse("x\n {% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}",
            limits: new LiquidLimits { RenderTimeout = TimeSpan.FromMinutes(5) });
        var result = template.Render(Model(), Options());
        Assert.Null(result.Text);
        Assert.Equal("the template went over the limit of 1,000,000 steps (a loop that runs too long?)", result.Error!.Message);
        Assert.Equal(2, result.Error.Line);
    }

    [Fact]
    public void Output_over_the_size_limit_fails_without_returning_half_a_document()
    {
        var limits = new LiquidLimits { MaxOutputChars = 100_000 };
        var template = Parse("{% for a in (1..1000) %}{% for b in (1..1000) %}0123456789{% endfor %}{% endfor %}", limits: limits);
        var result = template.Render(Model(), Options());
        Assert.Null(result.Text);
        Assert.Equal("the output is larger than the limit of 100,000 characters", result.Error!.Message);
    }

    [Theory]
    [InlineData("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}", "'assign s' made a value larger than the limit of 524,288 characters")]
    [InlineData("{% capture s %}xxxxxxxxxx{% endcapture %}{% for i in (1..60) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}", "the output is larger than the limit of 524,288 characters")]
    [InlineData("{% capture s %}{% for i in (1..1000) %}aaaaaaaaaa{% endfor %}{% endcapture %}{{ s | replace: 'a', s }}", "'replace' would make a value larger than the limit of 524,288 characters")]
    [InlineData("{% capture s %}{% for i in (1..1000) %}aaaaaaaaaa{% endfor %}{% endcapture %}{{ (1..1000) | join: s }}", "'join' would make a value larger than the limit of 524,288 characters")]
    public void Values_built_up_in_memory_are_capped_like_output(string source, string message)
    {
        var result = Parse(source).Render(Model(), Options());
        Assert.Equal(message, result.Error?.Message);
    }

    [Fact]
    public void A_chain_of_too_many_filters_is_refused()
    {
        Assert.Equal("an expression may apply at most 32 filters", ParseError("{{ 'x'" + string.Concat(Enumerable.Repeat(" | append: 'x'", 33)) + " }}").Message);
    }

    [Fact]
    public void A_deep_nesting_is_refused_before_parsing_instead_of_crashing_the_process()
    {
        var source = string.Concat(Enumerable.Repeat("{% if true %}", 10_000)) + string.Concat(Enumerable.Repeat("{% endif %}", 10_000));
        var error = ParseError(source);
        Assert.Equal(1, error.Line);
        Assert.Equal(32 * 13 + 1, error.Column);
        Assert.Equal("blocks are nested more than 32 deep", error.Message);
    }

    [Fact]
    public void A_long_and_or_chain_is_refused_because_it_is_parsed_and_evaluated_recursively()
    {
        var error = ParseError("{% if " + string.Join(" or ", Enumerable.Repeat("a", 20_000)) + " %}x{% endif %}");
        Assert.Contains("at most 32 parts", error.Message);
    }

    [Fact]
    public void An_oversized_template_is_refused()
    {
        var error = ParseError(new string('x', 300_000));
        Assert.Equal("the template is 300,000 characters long; the limit is 262,144", error.Message);
    }

    [Theory]
    [InlineData("ok\n  {% if x %}\nno end", 2, 3, "'if' is never closed with 'endif'")]
    [InlineData("{% for p in x %}\n{% endif %}", 2, 1, "'endif' cannot close the 'for' opened at line 1, column 1")]
    [InlineData("a {{ recipient.first_name\n", 1, 3, "'{{' is never closed with '}}'")]
    [InlineData("\n\n   {% frobnicate %}", 3, 4, "unknown tag 'frobnicate'")]
    [InlineData("{{ 'x' | no_such_filter }}", 1, 1, "unknown filter 'no_such_filter'")]
    [InlineData("x\n{% for %}{% endfor %}", 2, 1, "Syntax Error in 'for' tag - Valid syntax: for [item] in [collection]")]
    [InlineData("{% include 'x' %}", 1, 1, "'include' is not supported; use 'render', which keeps the snippet's variables separate")]
    [InlineData("{% render 'missing' %}", 1, 1, "unknown snippet 'missing'")]
    [InlineData("{% else %}", 1, 1, "'else' is not allowed here")]
    [InlineData("{% liquid\n  assign a = 1\n    frob a\n%}", 3, 5, "unknown tag 'frob'")]
    [InlineData("{% if true %}\n  {% cycle %}{% endif %}", 2, 3, "Syntax Error in 'cycle' tag - Valid syntax: cycle [name :] var [, var2, var3 ...]")]
    public void Syntax_errors_name_file_line_and_column(string source, int line, int column, string message)
    {
        Assert.Equal(new LiquidError("email.liquid", line, column, message), ParseError(source));
    }

    [Fact]
    public void Errors_inside_a_snippet_name_the_snippet()
    {
        var parsed = LiquidTemplate.Parse("\n{% render 'footer' %}", "email.liquid", snippets: new Dictionary<string, string> { ["footer"] = "ok\n {% if %}{% endif %}" });
        Assert.Equal(
            [new LiquidError("footer", 2, 2, "Syntax Error in 'if' tag - Valid syntax: if [expression]"), new LiquidError("email.liquid", 2, 1, "snippet 'footer' has errors")],
            parsed.Errors);
    }

    [Fact]
    public void A_good_snippet_after_an_earlier_error_is_not_reported_as_broken()
    {
        var parsed = LiquidTemplate.Parse("{{ 'a' | nope }}{% render 'ok' %}", "email.liquid", snippets: new Dictionary<string, string> { ["ok"] = "fine" });
        Assert.Equal("unknown filter 'nope'", Assert.Single(parsed.Errors).Message);
    }

    [Fact]
    public void A_snippet_that_renders_itself_is_refused()
    {
        var parsed = LiquidTemplate.Parse("{% render 'a' %}", "email.liquid", snippets: new Dictionary<string, string> { ["a"] = "{% render 'b' %}", ["b"] = "{% render 'a' %}" });
        Assert.Contains(parsed.Errors, e => e.Message.Contains("renders itself"));
    }

    [Fact]
    public void Render_errors_never_reach_the_output()
    {
        var result = Parse("before {{ 10 | divided_by: 0 }} after").Render(Model(), Options());
        Assert.Null(result.Text);
        Assert.Equal(1, result.Error!.Line);
        Assert.Equal(8, result.Error.Column);
        Assert.DoesNotContain("   at ", result.Error.Message);
    }

    [Fact]
    public void Render_errors_inside_blocks_and_snippets_name_their_own_place()
    {
        var result = Parse("{% for p in campaign.products %}\n  {% if p.price > 100 %}\n    {{ forloop.index | divided_by: 0 }}{% endif %}{% endfor %}").Render(Model(), Options());
        Assert.Equal(new LiquidError("email.liquid", 3, 5, "'divided_by' failed: divided by 0"), result.Error);

        var snippetResult = Parse("x\n{% render 'box' %}", snippets: new Dictionary<string, string> { ["box"] = "a\n b {% for i in (1..5000) %}{% endfor %}" })
            .Render(Model(), Options());
        Assert.Equal(new LiquidError("box", 2, 4, "a loop went over the limit of 1,000 iterations"), snippetResult.Error);
    }

    [Fact]
    public void Xss_in_a_recipients_first_name_comes_out_escaped()
    {
        var html = Render("<p>Hi {{ recipient.first_name }}</p><p title=\"{{ recipient.first_name | upcase }}\">{{ partner.name }}</p>",
            Model("<script>alert('x')</script>\"", partner: "<img src=x onerror=alert(1)>"));
        Assert.Equal("<p>Hi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;</p><p title=\"&lt;SCRIPT&gt;ALERT(&#39;X&#39;)&lt;/SCRIPT&gt;&quot;\">&lt;img src=x onerror=alert(1)&gt;</p>", html);
    }

    [Fact]
    public void Escaping_is_not_applied_twice_and_raw_is_for_vendor_content_only()
    {
        Assert.Equal("a&amp;b|<p>Meet the <b>new</b> range</p>", Render("{{ 'a&b' | escape }}|{{ campaign.intro_html | raw }}"));
        Assert.Equal("'raw' cannot be used on partner- or recipient-provided values: they are always HTML-escaped",
            ParseError("{% assign n = recipient.first_name | upcase %}{{ n | raw }}").Message);
    }

    [Fact]
    public void Raw_in_a_snippet_cannot_unescape_what_the_caller_passes_in()
    {
        var parsed = LiquidTemplate.Parse("{% render 'card', who: recipient.first_name %}", "email.liquid",
            snippets: new Dictionary<string, string> { ["card"] = "{% assign title = campaign.title %}{{ title | raw }}{{ who | raw }}" });
        Assert.Equal("'raw' cannot be used on partner- or recipient-provided values: they are always HTML-escaped", parsed.Errors[0].Message);
        Assert.Equal(("card", 1, 53), (parsed.Errors[0].File, parsed.Errors[0].Line, parsed.Errors[0].Column));
    }

    [Fact]
    public void Captured_html_keeps_its_markup_while_the_recipient_value_inside_is_escaped()
    {
        Assert.Equal("<b>&lt;i&gt;</b>", Render("{% capture hello %}<b>{{ recipient.first_name }}</b>{% endcapture %}{{ hello }}", Model("<i>")));
    }

    [Fact]
    public void Plain_text_parts_and_subjects_are_not_escaped()
    {
        Assert.Equal("Hi Tom & Jerry <3", Render("Hi {{ recipient.first_name }} <3", Model("Tom & Jerry"), LiquidContentKind.Text));
    }

    [Fact]
    public void The_model_accepts_plain_data_only_so_no_method_of_ours_is_reachable()
    {
        var error = Assert.Throws<ArgumentException>(() => LiquidModel.Create(partner: new Dictionary<string, object?> { ["file"] = new FileInfo("/etc/passwd") }));
        Assert.Contains("plain data only", error.Message);
        // Methods and properties of CLR values are not reachable either: only dictionary keys are.
        Assert.Equal("[][]", Render("[{{ recipient.first_name.Length }}][{{ recipient.GetType }}]"));
    }
}
