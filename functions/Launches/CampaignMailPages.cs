using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tcma.Functions.Launches;

/// <summary>The small pages recipients of campaign emails see; plain HTML, nothing to load but our stylesheet.</summary>
internal static class CampaignMailPages
{
    public static string Page(string title, string bodyHtml) =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">" +
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">" +
        $"<title>{WebUtility.HtmlEncode(title)}</title><link rel=\"stylesheet\" href=\"/assets/tcma.css\"></head>" +
        $"<body><main style=\"max-width:32rem;margin:2rem auto;padding:0 1rem\"><h1>{WebUtility.HtmlEncode(title)}</h1>{bodyHtml}</main></body></html>";

    /// <summary>For any link that is tampered with, expired or unknown: says nothing about which.</summary>
    public static ContentHttpResult NotValid(HttpResponse response) =>
        Html(response, Page("This link is not valid", "<p>This link is not valid or no longer works.</p>"), StatusCodes.Status404NotFound);

    /// <summary>Uncached and referrer-free: the token in the URL is the recipient's key and must go nowhere else.</summary>
    public static ContentHttpResult Html(HttpResponse response, string html, int status = StatusCodes.Status200OK)
    {
        NoLeaks(response);
        return TypedResults.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static void NoLeaks(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["X-Robots-Tag"] = "noindex";
    }
}
