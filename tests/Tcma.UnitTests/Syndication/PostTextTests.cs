using Tcma.Syndication;

namespace Tcma.UnitTests.Syndication;

public sealed class PostTextTests
{
    [Theory]
    [InlineData("Hello", 5)]
    [InlineData("See https://partner.example/a/very/long/path/that/is/long?q=1 now", 23 + 4 + 4)]
    [InlineData("日本語", 6)]
    [InlineData("Café", 4)]
    [InlineData("🚀", 2)]
    public void X_counts_links_as_23_and_wide_characters_as_2(string text, int expected)
    {
        Assert.Equal(expected, XConnector.WeightedLength(text));
    }

    [Theory]
    [InlineData("Plain words.", "Plain words.")]
    [InlineData("Save 20% (today)", @"Save 20% \(today\)")]
    [InlineData("#cloud first", @"{hashtag|\#|cloud} first")]
    [InlineData("a_b *c* ~d~ [e] <f> {g} |h| @i \\j", @"a\_b \*c\* \~d\~ \[e\] \<f\> \{g\} \|h\| \@i \\j")]
    [InlineData("not#hashtag", @"not\#hashtag")]
    public void LinkedIn_commentary_escapes_reserved_characters_and_keeps_hashtags(string text, string expected)
    {
        Assert.Equal(expected, LinkedInConnector.ToLittleText(text));
    }

    [Theory]
    [InlineData("Book now https://partner.example/book", "Book now https://t.co/AbC123 https://t.co/Media9", true)]
    [InlineData("Two  spaces\nand a line", "Two spaces and a line", true)]
    [InlineData("Book now", "Book later", false)]
    [InlineData("Book now", null, false)]
    public void A_post_on_the_network_is_ours_when_the_text_matches_apart_from_links_and_spacing(string ours, string? theirs, bool same)
    {
        Assert.Equal(same, SocialConnectorBase.SameText(ours, theirs));
    }

    [Fact]
    public void Images_are_recognised_by_content_not_by_name()
    {
        Assert.Equal("image/png", new SocialImage(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }).ContentType);
        Assert.Equal("image/jpeg", new SocialImage(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }).ContentType);
        Assert.Null(new SocialImage("GIF89a"u8.ToArray()).ContentType);
        Assert.Null(new SocialImage("<svg onload=alert(1)>"u8.ToArray()).ContentType);
        Assert.Null(new SocialImage(Array.Empty<byte>()).ContentType);
    }
}
