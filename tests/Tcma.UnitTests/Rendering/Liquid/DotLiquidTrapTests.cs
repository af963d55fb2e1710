using DotLiquid;

namespace Tcma.UnitTests.Rendering.Liquid;

/// <summary>
/// The traps of plain DotLiquid 2.3.260 that our engine closes, shown to exist: if an upgrade fixes one, these tests
/// say so and the workaround can go.
/// </summary>
public class DotLiquidTrapTests
{
    [Fact]
    public void Plain_DotLiquid_keeps_an_assign_from_one_render_in_the_next()
    {
        var template = Template.Parse("{% if name == 'Ada' %}{% assign greeting = name %}{% endif %}[{{ greeting }}]");
        Assert.Equal("[Ada]", template.Render(Hash.FromDictionary(new Dictionary<string, object> { ["name"] = "Ada" })));
        Assert.Equal("[Ada]", template.Render(Hash.FromDictionary(new Dictionary<string, object> { ["name"] = "Bob" })));
    }

    [Fact]
    public void Plain_DotLiquid_refuses_tags_spanning_lines()
    {
        Assert.ThrowsAny<DotLiquid.Exceptions.SyntaxException>(() => Template.Parse("{% if true\n %}x{% endif %}"));
    }

    [Fact]
    public void Plain_DotLiquid_prints_errors_into_the_output()
    {
        Assert.Contains("Liquid error", Template.Parse("a {{ 1 | divided_by: 0 }} b").Render());
    }
}
