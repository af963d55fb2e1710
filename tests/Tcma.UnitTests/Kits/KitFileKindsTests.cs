using System.Text;
using Tcma.Domain.Kits;

namespace Tcma.UnitTests.Kits;

public sealed class KitFileKindsTests
{
    [Theory]
    [InlineData(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "a PNG image")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "a JPEG image")]
    [InlineData(new byte[] { (byte)'P', (byte)'K', 3, 4, 20, 0 }, "a zip archive")]
    [InlineData(new byte[] { 0x1F, 0x8B, 8, 0 }, "a gzip archive")]
    [InlineData(new byte[] { (byte)'t', (byte)'t', (byte)'c', (byte)'f', 0, 1 }, "a font collection (.ttc)")]
    [InlineData(new byte[] { 0, 1, 0, 0, 0, 9 }, "a TrueType font")]
    public void Content_is_recognised_by_its_bytes_not_its_name(byte[] bytes, string expected) =>
        Assert.Equal(expected, KitFileContent.Describe(bytes));

    [Theory]
    [InlineData("<!DOCTYPE html><html><body>x</body></html>", "an HTML document")]
    [InlineData("\uFEFF  <?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "an SVG image")]
    [InlineData("{ \"name\": \"banner\" }", "JSON text")]
    [InlineData("Dear partner,", "text")]
    public void Text_content_is_told_apart(string text, string expected) =>
        Assert.Equal(expected, KitFileContent.Describe(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Utf8_text_passes_with_or_without_a_byte_order_mark()
    {
        Assert.Null(KitFileContent.TextProblem("<p>Grüße, {{ partner.company_name }}</p>\r\n\t"u8));
        Assert.Null(KitFileContent.TextProblem([.. Encoding.UTF8.GetPreamble(), .. "<p>hi</p>"u8]));
    }

    [Fact]
    public void Utf16_utf32_legacy_code_pages_nuls_and_control_characters_are_refused_with_where()
    {
        Assert.Contains("UTF-16", KitFileContent.TextProblem([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("<p>hi</p>")]));
        Assert.Contains("UTF-16", KitFileContent.TextProblem(Encoding.Unicode.GetBytes("<p>hello there</p>")));
        Assert.Contains("UTF-32", KitFileContent.TextProblem([.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes("<p>hi</p>")]));
        Assert.Contains("not valid UTF-8 at line 2, column 3 (byte 0xE9)", KitFileContent.TextProblem([.. "line one\nca"u8, 0xE9, .. " va"u8]));
        Assert.Contains("NUL bytes", KitFileContent.TextProblem([.. "a longer text with one"u8, 0, .. " NUL in the middle of it"u8]));
        Assert.Contains("U+0007 at line 1, column 4", KitFileContent.TextProblem("abc\u0007"u8));
        Assert.Contains("at most 1,024 KiB", KitFileContent.TextProblem(new byte[KitFileContent.MaxTextBytes + 1]));
    }

    [Fact]
    public void A_file_is_used_by_what_names_it_and_a_licence_only_beside_a_used_font()
    {
        var manifest = new KitManifest
        {
            Id = "k", Name = "Kit", Vendor = "Northwind", Version = "1.0.0", Languages = ["en"], Schedule = [],
            Content = new KitContent
            {
                Images = [new KitImage("banner", "images/social-banner.json")],
                Emails = [new KitEmail("welcome", "Hi", "emails/welcome.html", "emails/welcome.txt")],
            },
        };
        var files = new KitFiles(new Dictionary<string, byte[]>
        {
            ["kit.json"] = [], ["emails/welcome.html"] = [], ["images/social-banner.json"] = [], ["fonts/Inter.ttf"] = [],
            ["fonts/OFL.txt"] = [], ["images/photo.png"] = [], ["images/LICENSE.txt"] = [], ["notes.txt"] = [],
        });
        var uses = KitFileUse.Assign(manifest, [new("images/social-banner.json", "fonts/Inter.ttf", KitFileKind.Font), new("images/social-banner.json", "images/photo.png", KitFileKind.Image)], files);
        Assert.Equal([KitFileKind.Manifest], uses["kit.json"]);
        Assert.Equal([KitFileKind.HtmlTemplate], uses["emails/welcome.html"]);
        Assert.Equal([KitFileKind.ImageTemplate], uses["images/social-banner.json"]);
        Assert.Equal([KitFileKind.Font], uses["fonts/Inter.ttf"]);
        Assert.Equal([KitFileKind.FontLicence], uses["fonts/OFL.txt"]);
        Assert.Equal([KitFileKind.Image], uses["images/photo.png"]);
        // A licence beside no font, and a file nothing names, are used by nothing.
        Assert.False(uses.ContainsKey("images/LICENSE.txt"));
        Assert.False(uses.ContainsKey("notes.txt"));
    }
}
