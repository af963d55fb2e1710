using Tcma.Rendering.Liquid;
using static Tcma.UnitTests.Rendering.Liquid.LiquidTestData;

namespace Tcma.UnitTests.Rendering.Liquid;

/// <summary>Vendor templates are untrusted: whatever arrives, parsing and rendering answer with text or errors, never a throw.</summary>
public class LiquidRobustnessTests
{
    private static readonly string[] Fragments =
    [
        "{%", "%}", "{{", "}}", "{%-", "-}}", " if ", " endif ", " for x in (1..3) ", " endfor ", " else ", " | ", " upcase ",
        "'", "\"", "\n", " assign a = ", " raw ", " endraw ", " comment ", " endcomment ", " liquid ", " echo ", " render 'box' ",
        "#", " recipient.first_name ", " partner.name ", " a ", " == ", " and ", ":", ",", " default: ", " date: '%Y' ", "<b>", "x",
        " case ", " when ", " capture c ", " endcapture ", " cycle 'a','b' ", " increment n ", " (1..", ") ", "[", "]", " break ",
        // Fluid's grammar beyond the basics.
        " with ", " as ", " offset: continue ", " reversed ", " tablerow ", " endtablerow ", " cols: ", " elsif ", " or ", " nil ", " empty ",
        " money ", " track ", " split: ',' ", " where: 'a' ", " slice: 1, 2 ", " plus: 'x' ", " divided_by: 0 ", " forloop.index ", " ifchanged ",
        " endifchanged ", " include 'x' ", "{% for p in campaign.products %}", "{{ p.name | escape }}", "{% render 'box' for campaign.products as p %}",
    ];

    [Fact]
    public void Random_template_soup_never_throws()
    {
        var random = new Random(20261125);
        var snippets = new Dictionary<string, string> { ["box"] = "[{{ recipient.first_name }}]" };
        var parsedCount = 0;
        for (var n = 0; n < 3_000; n++)
        {
            var source = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => Fragments[random.Next(Fragments.Length)]));
            var parsed = LiquidTemplate.Parse(source, "soup.liquid", LiquidContentKind.Html, null, snippets);
            if (!parsed.Succeeded)
            {
                Assert.All(parsed.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1 && e.Message.Length > 0, $"{source} -> {e}"));
                continue;
            }
            parsedCount++;
            var result = parsed.Template!.Render(Model(), Options());
            Assert.True(result.Succeeded ^ (result.Error is not null));
            var launch = parsed.Template.PrepareLaunch(Model(), Options());
            if (launch.Succeeded && result.Succeeded)
                Assert.Equal(result.Text, launch.Launch!.Render(LiquidModel.ForRecipient(Recipient("Ada", "ada@example.com"),
                    new Dictionary<string, object?> { ["unsubscribe"] = "https://t.example/u/Ada" })).Text);
        }
        Assert.True(parsedCount > 100, $"only {parsedCount} random templates parsed: the soup is too thin to prove anything");
    }

    [Fact]
    public void Adversarial_sources_up_to_the_size_limit_are_answered()
    {
        // Shapes that make naive scanners quadratic: unclosed '{%' after a comment, a backwards chain of assigns.
        var unclosed = LiquidTemplate.Parse("{% comment %}" + string.Concat(Enumerable.Repeat("{%a", 80_000)), "a.liquid");
        Assert.Equal("'comment' is never closed with 'endcomment'", Assert.Single(unclosed.Errors).Message);

        var chain = string.Concat(Enumerable.Range(0, 6_000).Reverse().Select(i => $"{{% assign v{i + 1} = v{i} %}}"));
        var parsed = LiquidTemplate.Parse("{% assign v0 = recipient.first_name %}" + chain + "{{ v6000 }}", "b.liquid");
        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Errors));
        // Written backwards, every statement depends on the recipient's, so all of them stay per recipient.
        Assert.Equal(6_002, parsed.Template!.PerRecipientStatements);
        Assert.Equal(parsed.Template.Render(Model("<b>"), Options()).Text,
            parsed.Template.PrepareLaunch(Model(), Options()).Launch!.Render(LiquidModel.ForRecipient(Recipient("<b>", "b@x.example"))).Text);
    }
}
