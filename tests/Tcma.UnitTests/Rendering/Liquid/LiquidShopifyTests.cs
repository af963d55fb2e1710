using Fluid;
using Tcma.Rendering.Liquid;
using static Tcma.UnitTests.Rendering.Liquid.LiquidTestData;

namespace Tcma.UnitTests.Rendering.Liquid;

/// <summary>Where Shopify's documentation says how Liquid behaves, kit templates behave that way (docs/KIT-FORMAT.md).</summary>
public class LiquidShopifyTests
{
    [Theory]
    // date: strftime as Shopify documents it, in the partner's time zone.
    [InlineData("{{ '2026-03-14T10:00:00Z' | date: '%B %d, %Y' }}", "March 14, 2026")]
    [InlineData("{{ '2026-03-04T10:00:00Z' | date: '%a, %b %-d, %y %-I:%M %p' }}", "Wed, Mar 4, 26 10:00 AM")]
    [InlineData("{{ 'now' | date: '%Y-%m-%d %H:%M' }}", "2026-03-14 23:30")]
    [InlineData("{{ 1773531000 | date: '%s' }}", "1773531000")]
    [InlineData("{{ '2026-03-04T10:00:00Z' | date: '%^a %e|%j' }}", "WED  4|063")]
    // money: cents.
    [InlineData("{{ 145 | money }}|{{ 145 | money_with_currency }}|{{ 14500 | money_without_trailing_zeros }}", "$1.45|$1.45 USD|$145")]
    // forloop and tablerowloop.
    [InlineData("{% for i in (1..3) %}{{ forloop.index }}{{ forloop.index0 }}{{ forloop.rindex }}{{ forloop.first }}{{ forloop.last }}{{ forloop.length }};{% endfor %}",
        "103truefalse3;212falsefalse3;321falsetrue3;")]
    [InlineData("{% for i in (1..2) %}{% for j in (1..2) %}{{ forloop.parentloop.index }}{{ j }}{% endfor %}{% endfor %}", "11122122")]
    [InlineData("{% tablerow i in (1..3) cols: 2 %}{{ tablerowloop.col }}{{ tablerowloop.row }}{{ tablerowloop.col_first }}{% endtablerow %}",
        "<tr class=\"row1\">\n<td class=\"col1\">11true</td><td class=\"col2\">21false</td></tr>\n<tr class=\"row2\"><td class=\"col1\">12true</td></tr>\n")]
    [InlineData("{% tablerow i in (1..2) cols: 2 %}{{ tablerowloop.col0 }}{{ tablerowloop.col_last }}{{ tablerowloop.index }}{% endtablerow %}",
        "<tr class=\"row1\">\n<td class=\"col1\">0false1</td><td class=\"col2\">1true2</td></tr>\n")]
    [InlineData("{% for i in (1..4) %}{% assign h = i | divided_by: 3 %}{% ifchanged %}{{ h }}{% endifchanged %}{% endfor %}", "01")]
    [InlineData("{{ campaign.products[0].name.size }}|{{ campaign.products.size }}|{{ campaign.products.first.name }}|{{ campaign.products.last.name }}", "6|3|Router|Laptop")]
    // case/when with 'or' and commas.
    [InlineData("{% for v in (1..4) %}{% case v %}{% when 1, 2 %}a{% when 3 or 4 %}b{% endcase %}{% endfor %}", "aabb")]
    // filters on nil and on empty values.
    [InlineData("[{{ nil | upcase }}][{{ nil | size }}][{{ '' | default: 'x' }}][{{ nil | join: ',' }}][{{ nil | plus: 1 }}][{{ empty_list | first }}]", "[][0][x][][1][]")]
    // where, sort_natural, sum.
    [InlineData("{{ campaign.products | where: 'tag', 'net' | map: 'name' | join: ',' }}", "Router,Switch")]
    [InlineData("{{ 'b,A,c' | split: ',' | sort_natural | join: ',' }}|{{ 'b,A,c' | split: ',' | sort | join: ',' }}", "A,b,c|A,b,c")]
    [InlineData("{{ campaign.products | sum: 'price' }}|{{ '1,2,3' | split: ',' | sum }}", "1488.5|6")]
    // arithmetic on strings.
    [InlineData("{{ '3' | plus: '4' }}|{{ '10' | divided_by: 4 }}|{{ 10 | divided_by: 4.0 }}|{{ '2.5' | times: 2 }}|{{ 7 | modulo: 3 }}", "7|2|2.5|5.0|1")]
    // whitespace control on both sides of tags and outputs.
    [InlineData("a  {%- assign x = 1 -%}  \n  b {{- x -}} c", "ab1c")]
    public void Behaves_as_shopify_documents(string source, string expected)
    {
        var empty = LiquidModel.Create(campaign: new Dictionary<string, object?>
        {
            ["products"] = new List<object?>
            {
                new Dictionary<string, object?> { ["name"] = "Router", ["price"] = 199.5m, ["tag"] = "net" },
                new Dictionary<string, object?> { ["name"] = "Switch", ["price"] = 89m, ["tag"] = "net" },
                new Dictionary<string, object?> { ["name"] = "Laptop", ["price"] = 1200m, ["tag"] = "pc" },
            },
        });
        var template = Parse(source.Replace("empty_list", "campaign.none"), LiquidContentKind.Text);
        var result = template.Render(empty, Options());
        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal(expected, result.Text);
    }

    [Fact]
    public void Render_passes_a_value_with_as_and_a_list_with_for()
    {
        var snippets = new Dictionary<string, string> { ["card"] = "[{{ card.name }}{{ p.name }}{{ forloop.index }}{{ note }}]" };
        var template = Parse("{% render 'card' with campaign.products[1] %}{% render 'card' with campaign.products[0] as p %}{% render 'card' for campaign.products as p, note: '!' %}",
            LiquidContentKind.Text, snippets: snippets);
        Assert.Equal("[Switch][Router][Router1!][Switch2!][Laptop3!]", template.Render(Model(), Options()).Text);
    }
}

/// <summary>Our statement wrapping and snippet binding change nothing Fluid renders: the same text templates, both engines.</summary>
public class LiquidSameAsFluidTests
{
    public static TheoryData<string> Templates => new()
    {
        "{% case campaign.n %}\n  {% when 1 %}one{% when 2, 3 %}few\n{% else %}many{% endcase %}|",
        "{% for p in campaign.products offset: 1 limit: 1 %}{{ p.name }}{% endfor %}{% for p in campaign.products reversed %}{{ p.name }}{% else %}none{% endfor %}",
        "{% for p in campaign.products limit: 1 %}{{ p.name }}{% endfor %}{% for p in campaign.products offset: continue %}{{ p.name }}{% endfor %}",
        "{% unless campaign.n == 2 %}a{% elsif campaign.n == 1 %}b{% else %}c{% endunless %}",
        "{% if campaign.n > 1 and campaign.n < 3 or false %}y{% elsif campaign.n == 1 %}z{% endif %}",
        "{% capture c %}\n  {%- for i in (1..3) -%} {{ i }} {%- unless forloop.last %},{% endunless -%}{%- endfor -%}\n{% endcapture %}[{{ c }}]",
        "{% tablerow p in campaign.products cols: 2 limit: 3 %}{{ p.name }}{% endtablerow %}",
        "{% cycle 'a', 'b' %}{% cycle 'a', 'b' %}{% cycle 'g': 'x', 'y' %}{% increment k %}{% increment k %}{% decrement j %}",
        "{% liquid\n  for p in campaign.products\n    if forloop.first\n      echo p.name | upcase\n    endif\n  endfor\n%}",
        "{%- assign words = 'b a c' | split: ' ' | sort | reverse -%}{{ words | join: '-' }} {{ words.size }} {{ words[1] }} {{ words.first }}",
        "{% for i in (1..5) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}",
        "{% raw %}{{ x }}{% endraw %}{% comment %}{{ y }}{% endcomment %}{% # z %}",
        "{{ 'now' | date: '%Y' | plus: 0 | minus: campaign.n | at_least: 0 }} {{ 12.5 | round }} {{ -3 | abs }} {{ 7 | ceil }}",
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void A_text_template_renders_as_plain_Fluid_renders_it(string source)
    {
        var products = new List<object?>
        {
            new Dictionary<string, object?> { ["name"] = "Router" },
            new Dictionary<string, object?> { ["name"] = "Switch" },
            new Dictionary<string, object?> { ["name"] = "Laptop" },
        };
        var campaign = new Dictionary<string, object?> { ["n"] = 2, ["products"] = products };
        var ours = Parse(source, LiquidContentKind.Text).Render(LiquidModel.Create(campaign: campaign), Options());
        Assert.True(ours.Succeeded, ours.Error?.ToString());

        var fluidOptions = new Fluid.TemplateOptionsBuilder().Build();
        var context = new Fluid.TemplateContext(fluidOptions) { Now = () => Now };
        context.SetValue("campaign", Fluid.Values.FluidValue.Create(campaign, fluidOptions));
        var plain = Fluid.FluidTemplateExtensions.Render(new Fluid.FluidParser(new Fluid.FluidParserOptions { AllowLiquidTag = true }).Parse(source), context,
            Fluid.NullEncoder.Default);
        Assert.Equal(plain, ours.Text);
    }
}
