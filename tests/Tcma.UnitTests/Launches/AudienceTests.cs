using Tcma.Domain.Launches;
using Tcma.Email.Campaigns;

namespace Tcma.UnitTests.Launches;

public sealed class AudienceTests
{
    private static readonly ContactEngagement Nothing = ContactEngagement.None;
    private static readonly ContactEngagement Opened = ContactEngagement.From(opened: true, clicked: false);
    private static readonly ContactEngagement Clicked = ContactEngagement.From(opened: false, clicked: true);

    [Theory]
    [InlineData("all", true, true, true)]
    [InlineData("non-openers", true, false, false)]
    [InlineData("non-clickers", true, true, false)]
    // An audience the schema would have refused sends like "all": a kit never silently loses an email.
    [InlineData("non-readers", true, true, true)]
    [InlineData(null, true, true, true)]
    public void An_audience_includes_contacts_by_what_they_did_with_earlier_emails(string? audience, bool nothing, bool opened, bool clicked)
    {
        Assert.Equal(nothing, Audience.Includes(audience, Nothing));
        Assert.Equal(opened, Audience.Includes(audience, Opened));
        Assert.Equal(clicked, Audience.Includes(audience, Clicked));
    }

    [Fact]
    public void A_click_counts_as_an_open_even_when_the_pixel_never_loaded()
    {
        Assert.Equal(new ContactEngagement(Opened: true, Clicked: true), Clicked);
        Assert.False(Audience.Includes(Audience.NonOpeners, new ContactEngagement(Opened: false, Clicked: true)));
    }

    [Fact]
    public void Only_the_filtered_audiences_need_the_launch_engagement_read()
    {
        Assert.False(Audience.NeedsEngagement(Audience.All));
        Assert.True(Audience.NeedsEngagement(Audience.NonOpeners));
        Assert.True(Audience.NeedsEngagement(Audience.NonClickers));
    }

    [Fact]
    public void A_send_id_names_its_contact_by_a_hash_that_is_the_same_across_touches_and_letter_case()
    {
        var first = LaunchWorkflow.SendId("cloud-backup-nurture-1", "0-welcome", "Ana@Customer.example");
        var later = LaunchWorkflow.SendId("cloud-backup-nurture-1", "2-case.study", " ana@customer.example ");
        Assert.Equal(LaunchWorkflow.ContactKey("ana@customer.example"), LaunchWorkflow.ContactKeyOfSend(first));
        Assert.Equal(LaunchWorkflow.ContactKeyOfSend(first), LaunchWorkflow.ContactKeyOfSend(later));
        Assert.DoesNotContain("ana", LaunchWorkflow.ContactKeyOfSend(first));
        Assert.Null(LaunchWorkflow.ContactKeyOfSend("L.t.not-a-hash"));
        Assert.Null(LaunchWorkflow.ContactKeyOfSend("nodots"));
    }

    [Fact]
    public void The_open_token_subject_round_trips_ids_with_spaces_and_dots_and_refuses_other_shapes()
    {
        var subject = OpenTracking.TokenSubject("kit one-1", "2-case.study", "kit one-1.2-case.study.0123456789abcdef0123");
        Assert.True(OpenTracking.TryReadTokenSubject(subject, out var launch, out var touch, out var send));
        Assert.Equal(("kit one-1", "2-case.study", "kit one-1.2-case.study.0123456789abcdef0123"), (launch, touch, send));
        Assert.False(OpenTracking.TryReadTokenSubject(TrackedLinks.TokenSubject("s", 1), out _, out _, out _));
        Assert.False(OpenTracking.TryReadTokenSubject("a b c d", out _, out _, out _));
        Assert.False(OpenTracking.TryReadTokenSubject("", out _, out _, out _));
    }

    [Fact]
    public void The_pixel_is_a_one_by_one_gif()
    {
        var gif = OpenTracking.Pixel.ToArray();
        Assert.Equal("GIF89a"u8.ToArray(), gif[..6]);
        Assert.Equal(1, gif[6] | gif[7] << 8);
        Assert.Equal(1, gif[8] | gif[9] << 8);
        Assert.Equal(0x3B, gif[^1]);
    }

    private sealed class Links : ICampaignLinks
    {
        public string Unsubscribe(CampaignEmail email) => "https://app.example/u/U";
        public string TrackedLink(CampaignEmail email, int index) => $"https://app.example/r/R{index}";
        public string OpenPixel(CampaignEmail email) => "https://app.example/o/O?x=1&y=2";
    }

    [Theory]
    [InlineData("<html><body><p>Hi <a href=\"https://vendor.example/\">there</a></p></body></html>")]
    [InlineData("<p>Hi <a href=\"https://vendor.example/\">there</a></p>")]
    public void The_html_part_ends_with_the_pixel_and_the_text_part_has_none(string html)
    {
        var email = new CampaignEmail("v", "p", "L", "t", "L.t.0123456789abcdef0123", "ana@customer.example", "Ana", "Contoso", "sales@contoso.example",
            "Contoso GmbH, Berlin", "Subject", html, "Hi https://vendor.example/", "Campaign");
        var message = CampaignEmailComposer.Compose(email, new CampaignEmailOptions(), new Links()).Message;

        const string pixel = "<img src=\"https://app.example/o/O?x=1&amp;y=2\" width=\"1\" height=\"1\" alt=\"\"";
        Assert.Contains(pixel, message.Html);
        // Last thing in the body: after the footer with the unsubscribe link.
        Assert.True(message.Html!.IndexOf(pixel, StringComparison.Ordinal) > message.Html.IndexOf("https://app.example/u/U", StringComparison.Ordinal));
        if (html.Contains("</body>")) Assert.EndsWith("</body></html>", message.Html.TrimEnd());
        Assert.DoesNotContain("/o/", message.Text);
        // The pixel is not itself a tracked link.
        Assert.DoesNotContain("https://app.example/r/R1", message.Html);
    }
}
