namespace Tcma.Domain.Launches;

/// <summary>
/// The open pixel of a campaign email: a 1x1 transparent GIF at <c>/o/{token}</c>, the token signed like a tracked
/// link's (its own purpose) and naming the launch, the touch and the send. Nothing personal in it: the send id ends in
/// a hash of the address, not the address.
/// </summary>
public static class OpenTracking
{
    /// <summary>The purpose of the signed token in an <c>/o/{token}</c> URL; a click or unsubscribe token opens nothing here.</summary>
    public const string TokenPurpose = "open";

    /// <summary>The smallest transparent GIF (43 bytes): what the pixel always answers, whatever the token.</summary>
    public static ReadOnlySpan<byte> Pixel =>
    [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ];

    public const string PixelContentType = "image/gif";

    /// <summary>Which launch, touch and send; space never occurs in an escaped id.</summary>
    public static string TokenSubject(string launchId, string touchId, string sendId) =>
        $"{Uri.EscapeDataString(launchId)} {Uri.EscapeDataString(touchId)} {Uri.EscapeDataString(sendId)}";

    public static bool TryReadTokenSubject(string subject, out string launchId, out string touchId, out string sendId)
    {
        var parts = subject.Split(' ');
        (launchId, touchId, sendId) = parts.Length == 3
            ? (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]), Uri.UnescapeDataString(parts[2]))
            : ("", "", "");
        return launchId.Length > 0 && touchId.Length > 0 && sendId.Length > 0;
    }

    /// <summary>
    /// The pixel at the end of the HTML body (before &lt;/body&gt; when there is one), so it loads last and never shifts
    /// the layout. alt="" keeps screen readers and image-blocked clients quiet.
    /// </summary>
    public static string AddPixel(string html, string pixelUrl)
    {
        var img = $"<img src=\"{System.Net.WebUtility.HtmlEncode(pixelUrl)}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0\">";
        var end = html.LastIndexOf("</body", StringComparison.OrdinalIgnoreCase);
        return end < 0 ? html + img : html.Insert(end, img);
    }
}
