using Tcma.Rendering.Liquid;
using static Tcma.UnitTests.Rendering.Liquid.LiquidTestData;

namespace Tcma.UnitTests.Rendering.Liquid;

public class LiquidEmailTests
{
    [Fact]
    public void The_four_parts_render_with_escaping_only_in_html_and_a_one_line_subject()
    {
        var (email, errors) = LiquidEmail.Parse("welcome",
            "{{ partner.name }} for\n {{ recipient.first_name }}", "{{ campaign.title }}", "<p>{{ recipient.first_name }}</p>", "Hi {{ recipient.first_name }}");
        Assert.Empty(errors);
        var model = Model("Tom & <Jerry>\r\nBcc: victim@example.com");
        var (rendered, error) = email!.Render(model, Options());
        Assert.Null(error);
        Assert.Equal("Acme IT for Tom & <Jerry> Bcc: victim@example.com", rendered!.Subject);
        Assert.Equal("<p>Tom &amp; &lt;Jerry&gt;\r\nBcc: victim@example.com</p>", rendered.Html);
        Assert.Equal("Hi Tom & <Jerry>\r\nBcc: victim@example.com", rendered.Text);

        var (launch, launchError) = email.PrepareLaunch(LiquidModel.Create(Partner(), campaign: new Dictionary<string, object?> { ["title"] = "Spring launch" }), Options());
        Assert.Null(launchError);
        var recipient = LiquidModel.ForRecipient(Recipient("Tom & <Jerry>\r\nBcc: victim@example.com", "t@example.com"));
        Assert.Equal(rendered, launch!.Render(recipient).Email);
    }

    [Fact]
    public void Errors_name_the_part_they_are_in()
    {
        var (email, errors) = LiquidEmail.Parse("welcome", "Hi {{ recipient.first_name | nope }}", "", "<p>{% if %}{% endif %}</p>", "ok");
        Assert.Null(email);
        Assert.Equal(["welcome.subject.liquid(1,4): unknown filter 'nope'", "welcome.html.liquid(1,4): Syntax Error in 'if' tag - Valid syntax: if [expression]"],
            errors.Select(e => e.ToString()));
    }
}
