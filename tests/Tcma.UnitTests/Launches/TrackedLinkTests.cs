using Tcma.Domain.Launches;

namespace Tcma.UnitTests.Launches;

public sealed class TrackedLinkTests
{
    private static string Redirect(int i) => $"https://app.example/r/T{i}";

    [Fact]
    public void Web_links_in_both_parts_become_redirects_by_the_index_of_their_distinct_url()
    {
        var html = "<a href=\"https://a.example/x?p=1&amp;q=2\">A</a> <A HREF='https://b.example/'>B</A> <a class=x href=https://a.example/x?p=1&amp;q=2>again</a>";
        var text = "See https://a.example/x?p=1&q=2. Or (https://b.example/), or https://c.example/path!";
        var result = TrackedLinks.Rewrite(html, text, Redirect);

        Assert.Equal(["https://a.example/x?p=1&q=2", "https://b.example/", "https://c.example/path"], result.Urls);
        Assert.Equal("<a href=\"https://app.example/r/T0\">A</a> <A HREF=\"https://app.example/r/T1\">B</A> <a class=x href=\"https://app.example/r/T0\">again</a>", result.Html);
        Assert.Equal("See https://app.example/r/T0. Or (https://app.example/r/T1), or https://app.example/r/T2!", result.Text);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("JavaScript:alert(document.cookie)")]
    [InlineData("data:text/html;base64,PHNjcmlwdD4=")]
    [InlineData("vbscript:msgbox")]
    [InlineData("mailto:sales@contoso.example")]
    [InlineData("tel:+4930123456")]
    [InlineData("/relative/path")]
    [InlineData("//evil.example/")]
    [InlineData("https:/evil.example")]
    [InlineData("%%TCMA_UNSUBSCRIBE_URL%%")]
    public void Anything_but_an_absolute_web_link_is_left_as_it_is_and_is_never_a_target(string href)
    {
        var html = $"<a href=\"{href}\">x</a>";
        var result = TrackedLinks.Rewrite(html, href, Redirect);
        Assert.Empty(result.Urls);
        Assert.Equal(html, result.Html);
        Assert.False(TrackedLinks.IsTrackable(href));
    }

    [Fact]
    public void Only_the_real_href_attribute_is_followed()
    {
        var html = "<a data-href=\"https://decoy.example/\" title='x href=\"https://decoy2.example/\"' href=\"https://real.example/\">x</a>";
        var result = TrackedLinks.Rewrite(html, "", Redirect);
        Assert.Equal(["https://real.example/"], result.Urls);
        Assert.Contains("data-href=\"https://decoy.example/\"", result.Html);
    }

    [Fact]
    public void Images_and_stylesheets_keep_loading_from_where_they_are()
    {
        var html = "<link href=\"https://cdn.example/s.css\" rel=stylesheet><img src=\"https://cdn.example/logo.png\">";
        Assert.Equal(html, TrackedLinks.Rewrite(html, "", Redirect).Html);
    }

    [Fact]
    public void At_most_one_batch_of_links_is_tracked_and_the_rest_stay_as_they_are()
    {
        var html = string.Concat(Enumerable.Range(0, 120).Select(i => $"<a href=\"https://x.example/{i}\">{i}</a>"));
        var result = TrackedLinks.Rewrite(html, "", Redirect);
        Assert.Equal(TrackedLinks.MaxLinksPerEmail, result.Urls.Count);
        Assert.Contains("href=\"https://x.example/119\"", result.Html);
    }

    [Theory]
    [InlineData("https://a.example/p", "https://a.example/p?utm_source=tcma&utm_medium=email&utm_campaign=Autumn%20Backup&utm_content=t1")]
    [InlineData("https://a.example/p?x=1&y=a%20b#top", "https://a.example/p?x=1&y=a%20b&utm_source=tcma&utm_medium=email&utm_campaign=Autumn%20Backup&utm_content=t1#top")]
    [InlineData("https://a.example/p?utm_source=kit&UTM_MEDIUM=x&keep=1", "https://a.example/p?keep=1&utm_source=tcma&utm_medium=email&utm_campaign=Autumn%20Backup&utm_content=t1")]
    [InlineData("https://a.example/?", "https://a.example/?utm_source=tcma&utm_medium=email&utm_campaign=Autumn%20Backup&utm_content=t1")]
    public void UTM_parameters_are_added_keeping_the_rest_of_the_query_and_the_fragment(string url, string expected) =>
        Assert.Equal(expected, TrackedLinks.WithUtm(url, "Autumn Backup", "t1"));

    [Fact]
    public void A_token_subject_names_the_send_and_the_link_and_nothing_else_reads_as_one()
    {
        var subject = TrackedLinks.TokenSubject("L1 touch/1 ana@x.example", 3);
        Assert.True(TrackedLinks.TryReadTokenSubject(subject, out var sendId, out var index));
        Assert.Equal(("L1 touch/1 ana@x.example", 3), (sendId, index));
        foreach (var bad in new[] { "", "x", "x 1 2", "x -1", "x 100", "x 1e2", " 1" })
            Assert.False(TrackedLinks.TryReadTokenSubject(bad, out _, out _), bad);
    }
}
