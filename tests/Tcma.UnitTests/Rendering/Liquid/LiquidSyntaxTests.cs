using Tcma.Rendering.Liquid;
using static Tcma.UnitTests.Rendering.Liquid.LiquidTestData;

namespace Tcma.UnitTests.Rendering.Liquid;

/// <summary>Shopify-style templates a vendor pastes must parse and render as Shopify documents them.</summary>
public class LiquidSyntaxTests
{
    [Fact]
    public void Tags_and_outputs_may_span_several_lines()
    {
        const string source = """
            <a href="{{
                links.unsubscribe
            }}">{%
              if recipient.first_name
                 == "Ada"
            %}Hi {{ recipient.first_name
                    | upcase }}{% endif %}</a>
            """;
        Assert.Equal("<a href=\"https://t.example/u/Ada\">Hi ADA</a>", Render(source));
    }

    [Fact]
    public void Whitespace_control_trims_around_tags_and_outputs()
    {
        Assert.Equal("[Ada]", Render("[  {%- if true -%}  \n {{- recipient.first_name -}}  \n {%- endif -%}  ]"));
    }

    [Fact]
    public void Echo_liquid_and_inline_comments_work()
    {
        const string source = """
            {% # this comment is dropped %}{% liquid
              # so is this one
              assign greeting = "Hello"
              if recipient.first_name
                echo greeting | append: ", " | append: recipient.first_name
              endif
            %}{% echo "!" %}
            """;
        Assert.Equal("Hello, Ada!", Render(source));
    }

    [Fact]
    public void Comment_and_raw_blocks_behave_as_in_shopify()
    {
        Assert.Equal("a{{ not.parsed }}b", Render("a{% comment %}{% if %}{% comment %}x{% endcomment %}{% endcomment %}{% raw %}{{ not.parsed }}{% endraw %}b"));
    }

    [Fact]
    public void Standard_tags_render()
    {
        const string source = """
            {%- for p in campaign.products limit: 2 -%}{{ forloop.index }}:{{ p.name }}{% unless forloop.last %},{% endunless %}{%- endfor %}
            {%- case recipient.first_name %}{% when "Bob" %}B{% when "Ada" %}A{% else %}?{% endcase %}
            {%- capture who %}{{ partner.name }}{% endcapture %} {{ who }}
            {%- for i in (1..5) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}
            {%- increment n %}{% increment n %}{% cycle "x", "y" %}{% cycle "x", "y" %}
            """;
        Assert.Equal("1:Router,2:SwitchA Acme IT1301xy", Render(source));
    }

    [Theory]
    [InlineData("{{ campaign.products | sum: 'price' }}", "1488.5")]
    [InlineData("{{ campaign.products | where: 'available' | map: 'name' | join: ',' }}", "Router,Laptop")]
    [InlineData("{{ campaign.products | where: 'tag', 'pc' | map: 'name' | join: ',' }}", "Laptop")]
    [InlineData("{{ campaign.products | reject: 'available' | map: 'name' | join: ',' }}", "Switch")]
    [InlineData("{% assign p = campaign.products | find: 'name', 'Switch' %}{{ p.price }}", "89")]
    [InlineData("{{ campaign.products | find_index: 'name', 'Laptop' }}", "2")]
    [InlineData("{{ campaign.products | has: 'tag', 'pc' }}/{{ campaign.products | has: 'tag', 'tv' }}", "true/false")]
    [InlineData("{{ 'one two three four' | truncatewords: 2 }}", "one two...")]
    [InlineData("{{ 'a-b-a-b' | remove_last: 'a' }}|{{ 'a-b-a-b' | replace_last: 'b', 'c' }}", "a-b--b|a-b-a-c")]
    [InlineData("{{ false | default: 'x' }}|{{ false | default: 'x', allow_false: true }}|{{ '' | default: 'y' }}|{{ nil | default: 'z' }}", "x|false|y|z")]
    [InlineData("{{ 'a b&c/d' | url_encode }}", "a+b%26c%2Fd")]
    [InlineData("{{ 3 | plus: 2 | times: 2 | minus: 1 | divided_by: 3 }}", "3")]
    [InlineData("{{ 'Hello' | slice: 1, 3 }}{{ ' x ' | strip }}{{ 'abc' | upcase | prepend: '-' }}", "ellx-ABC")]
    [InlineData("{{ campaign.products | map: 'name' | sort | reverse | first }}", "Switch")]
    public void Standard_filters_render(string source, string expected)
    {
        Assert.Equal(expected, Render(source, kind: LiquidContentKind.Text));
    }

    [Fact]
    public void Date_uses_strftime_in_the_partners_time_zone_and_language()
    {
        var paris = Options("fr-FR", "Europe/Paris");
        // 23:30 UTC on 14 March is 00:30 on Sunday 15 March in Paris.
        Assert.Equal("dimanche 15 mars 2026, 00:30", Render("{{ 'now' | date: '%A %-d %B %Y, %H:%M' }}", kind: LiquidContentKind.Text, options: paris));
        Assert.Equal("Saturday 14 March 2026 11:30 PM", Render("{{ 'now' | date: '%A %-d %B %Y %I:%M %p' }}", kind: LiquidContentKind.Text));
        Assert.Equal("2026-01-02", Render("{{ '2026-01-02T10:00:00Z' | date: '%F' }}", kind: LiquidContentKind.Text));
        // As Shopify prints it: the zone's abbreviation, summer time included.
        Assert.Equal("11:00 CET|12:00 CEST", Render("{{ '2026-01-02T10:00:00Z' | date: '%H:%M %Z' }}|{{ '2026-07-02T10:00:00Z' | date: '%H:%M %Z' }}",
            kind: LiquidContentKind.Text, options: paris));
    }

    [Fact]
    public void Money_takes_cents_as_in_shopify_and_uses_the_partners_currency_and_locale()
    {
        Assert.Equal("1.234,50 €", Render("{{ 123450 | money }}", kind: LiquidContentKind.Text, options: Options("de-DE", currency: "EUR")));
        Assert.Equal("$1,234.50", Render("{{ 123450 | money }}", kind: LiquidContentKind.Text, options: Options("en-US", currency: "USD")));
        Assert.Equal("1,234.50", Render("{{ 123450 | money_without_currency }}", kind: LiquidContentKind.Text));
        // Numbers outside money print as Liquid prints them, whatever the partner's language.
        Assert.Equal("1234.5", Render("{{ 1234.5 }}", kind: LiquidContentKind.Text, options: Options("de-DE", currency: "EUR")));
    }

    [Fact]
    public void Track_adds_utm_parameters_without_overriding_existing_ones()
    {
        Assert.Equal("https://contoso.example/p?x=1&utm_source=acme-it&utm_medium=email&utm_campaign=spring-launch&utm_content=hero#top",
            Render("{{ 'https://contoso.example/p?x=1#top' | track: 'hero' }}", kind: LiquidContentKind.Text));
        Assert.Equal("https://contoso.example/?utm_source=vendor&utm_medium=email&utm_campaign=spring-launch",
            Render("{{ 'https://contoso.example/?utm_source=vendor' | track }}", kind: LiquidContentKind.Text));
        Assert.Equal("mailto:a@b.example", Render("{{ 'mailto:a@b.example' | track }}", kind: LiquidContentKind.Text));
    }

    [Fact]
    public void Render_gives_a_snippet_its_own_scope()
    {
        var snippets = new Dictionary<string, string>
        {
            ["product"] = "{% assign inner = 'leaked' %}[{{ item.name }} {{ secret }} {{ label }}]",
        };
        var template = Parse("{% assign secret = 'outer' %}{% assign inner = 'mine' %}{% render 'product', item: campaign.products[0], label: 'L' %}{% render 'product' for campaign.products as item %}{{ inner }}",
            snippets: snippets);
        var result = template.Render(Model(), Options());
        Assert.Equal("[Router  L][Router  ][Switch  ][Laptop  ]mine", result.Text);
    }

    [Fact]
    public void A_misspelt_model_root_is_refused_at_validation()
    {
        var error = ParseError("Hi\n {{ recipent.first_name }}");
        Assert.Equal(new LiquidError("email.liquid", 2, 2, "unknown variable 'recipent'; the model has partner, vendor, campaign, recipient, links"), error);
    }

    [Fact]
    public void Raw_blocks_keep_multi_line_markup_as_text()
    {
        Assert.Equal("{{ a\n }}{% if\n %}", Render("{% raw %}{{ a\n }}{% if\n %}{% endraw %}"));
    }
}
