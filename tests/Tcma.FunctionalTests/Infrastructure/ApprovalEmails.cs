using System.Net;
using System.Text.RegularExpressions;

namespace Tcma.FunctionalTests.Infrastructure;

/// <summary>Approval emails as an approver uses them: the buttons of the newest one about a subject, and the confirm page they open.</summary>
public static partial class ApprovalEmails
{
    /// <summary>The links of the newest email to <paramref name="email"/> whose subject mentions <paramref name="subjectId"/>, by button label.</summary>
    public static async Task<Dictionary<string, string>> LinksAsync(MailDevInbox inbox, string email, string subjectId, int count = 1)
    {
        var mails = await inbox.WaitForAsync(email, count);
        var mail = mails.Where(m => m.Subject?.Contains(subjectId) == true).LastOrDefault() ?? throw new Xunit.Sdk.XunitException($"no email about {subjectId} to {email}");
        return LinkLine().Matches(mail.Text ?? "").ToDictionary(m => m.Groups[1].Value.Trim(), m => new Uri(m.Groups[2].Value).PathAndQuery);
    }

    /// <summary>Confirms on the page a link opens, as a person would: GET shows it, POST acts.</summary>
    public static async Task<(HttpStatusCode Status, string Html)> ConfirmAsync(HttpClient client, string path, Dictionary<string, string>? form = null)
    {
        var page = await client.GetAsync(path);
        if (page.StatusCode != HttpStatusCode.OK) return (page.StatusCode, await page.Content.ReadAsStringAsync());
        var response = await client.PostAsync(path, new FormUrlEncodedContent(form ?? []));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"^([A-Za-z ]+): (http\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex LinkLine();
}
