using Tcma.Rendering.Liquid;
using static Tcma.UnitTests.Rendering.Liquid.LiquidTestData;

namespace Tcma.UnitTests.Rendering.Liquid;

/// <summary>Rendering a launch once and each recipient's part separately must give exactly the full render.</summary>
public class LiquidLaunchTests
{
    public static TheoryData<string> Templates => new()
    {
        "Hi {{ recipient.first_name }}, {{ partner.name }} {% for p in campaign.products %}{{ p.name }}{% endfor %}",
        "{% assign n = partner.name | upcase %}{{ recipient.first_name }} {{ n }}{% assign n = 'later' %}{{ n }}",
        "{% assign who = recipient.first_name | default: 'there' %}{% assign line = 'Hi ' | append: who %}{{ partner.name }}: {{ line }}",
        "{% capture a %}{{ partner.city }}{% endcapture %}{% if recipient.email contains 'ada' %}{{ a }}{% else %}-{% endif %}",
        "{% increment c %}{{ partner.name }}{% increment c %}{{ recipient.email }}{% cycle 'x','y' %}{% cycle 'x','y' %}",
        "{% for i in (1..recipient.email.size) limit: 3 %}{{ i }}{% endfor %}{{ partner.name }}",
        "{% liquid\n assign t = 0\n for p in campaign.products\n  assign t = t | plus: p.price\n endfor\n%}{{ t }} {{ links.unsubscribe | track }}",
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void A_prepared_launch_renders_what_a_full_render_renders(string source)
    {
        var template = Parse(source);
        var launch = template.PrepareLaunch(LiquidModel.Create(partner: Partner(), campaign: (Dictionary<string, object?>)CampaignOf()), Options()).Launch!;
        foreach (var name in new[] { "Ada", "Bob", "<x>" })
        {
            var recipient = Recipient(name, name.ToLowerInvariant() + "@example.com");
            var links = new Dictionary<string, object?> { ["unsubscribe"] = "https://t.example/u/" + name };
            var full = template.Render(LiquidModel.Create(Partner(), null, (Dictionary<string, object?>)CampaignOf(), recipient, links), Options());
            var fast = launch.Render(LiquidModel.ForRecipient(recipient, links));
            Assert.True(full.Succeeded, full.Error?.ToString());
            Assert.Equal(full.Text, fast.Text);
        }
    }

    [Fact]
    public void Only_recipient_dependent_statements_are_left_for_each_recipient()
    {
        var template = Parse("<h1>{{ campaign.title }}</h1>\n{% for p in campaign.products %}<li>{{ p.name }}</li>{% endfor %}\nHi {{ recipient.first_name }}\n{{ partner.name }}");
        Assert.Equal(1, template.PerRecipientStatements);
    }

    [Fact]
    public void A_launch_whose_shared_part_fails_is_refused_whole()
    {
        var preparation = Parse("{{ recipient.first_name }}{% for i in (1..5000) %}{% endfor %}").PrepareLaunch(Model(), Options());
        Assert.False(preparation.Succeeded);
        Assert.Equal(27, preparation.Error!.Column);
    }

    private static object CampaignOf() => new Dictionary<string, object?>
    {
        ["title"] = "Spring launch",
        ["products"] = new List<object?>
        {
            new Dictionary<string, object?> { ["name"] = "Router", ["price"] = 199.5m },
            new Dictionary<string, object?> { ["name"] = "Switch", ["price"] = 89m },
        },
    };
}
