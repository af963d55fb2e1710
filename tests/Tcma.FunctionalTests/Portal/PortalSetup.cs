using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.FunctionalTests.Kits;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Functions.Portal;
using Tcma.Storage.Partners;

namespace Tcma.FunctionalTests.Portal;

/// <summary>A vendor's partners and kits, and partners signed in to the portal through its real front doors.</summary>
internal static partial class PortalSetup
{
    public const string Vendor = "northwind";

    public static string Unique(string who) => $"{who}-{Guid.NewGuid():N}@partner.example";

    public static async Task<Partner> PartnerAsync(TcmaAppFactory app, string id, string email, string tier = "Gold", string region = "EMEA",
        string[]? specialisations = null, string vendor = Vendor, PartnerStatus status = PartnerStatus.Active)
    {
        var partner = new Partner(id, $"{id} IT", tier, region, "DE", specialisations ?? ["Backup"], [new PartnerContact($"{id} owner", email, "Owner", true)], status);
        await app.Services.GetRequiredService<PartnerDirectory>().SaveAsync(vendor, partner, "test", app.Clock?.GetUtcNow() ?? DateTimeOffset.UtcNow);
        return partner;
    }

    /// <summary>Uploads the cloud-backup sample under another id (and edits), and publishes it, as a channel manager would.</summary>
    public static async Task PublishAsync(TcmaAppFactory app, string kitId, Func<string, string>? manifest = null, string vendor = Vendor,
        Action<Dictionary<string, byte[]>>? files = null)
    {
        var uploads = app.Services.GetRequiredService<KitUploads>();
        var zip = KitZips.CloudBackupWith(m => (manifest ?? (x => x))(m.Replace("\"id\": \"cloud-backup-nurture\"", $"\"id\": \"{kitId}\"")), files);
        var outcome = await uploads.UploadAsync(vendor, new MemoryStream(zip), "kit.zip", "casey", default);
        Assert.True(outcome is KitUploadOutcome.Stored, outcome.ToString());
        Assert.IsType<KitChangeOutcome.Changed>(await uploads.ChangeAsync(vendor, kitId, "1.0.0", Domain.Kits.KitAction.Publish, "casey", default));
        app.Services.GetRequiredService<PortalCatalog>().Forget(vendor);
    }

    /// <summary>A browser-less partner whose portal session was opened by one of its emailed links (here its lead inbox link).</summary>
    public static async Task<HttpClient> SessionByLinkAsync(TcmaAppFactory app, string partnerId, string vendor = Vendor)
    {
        var client = app.Anonymous();
        var response = await client.GetAsync("/partner/leads?t=" + Uri.EscapeDataString(app.PartnerLink(vendor, partnerId, "leads")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(PartnerSessions.CookieName + "=", StringComparison.Ordinal));
        return client;
    }

    /// <summary>Asks for a sign-in link on the sign-in page, as a person would; returns the page's answer.</summary>
    public static async Task<HttpResponseMessage> AskForLinkAsync(HttpClient client, string email, string? returnUrl = null)
    {
        var page = await client.GetStringAsync("/partner/signin" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl)));
        return await client.PostAsync("/partner/signin" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl)),
            Form(page, "signin", new() { ["email"] = email, ["returnUrl"] = returnUrl ?? "" }));
    }

    public static async Task<int> SignInEmailsAsync(TcmaAppFactory app, string email) =>
        (await app.Inbox.ToAsync(email)).Count(m => m.Subject?.Contains("Sign in", StringComparison.Ordinal) == true);

    /// <summary>The sign-in link of the email that arrives after <paramref name="before"/> sign-in emails to the address, as a path.</summary>
    public static async Task<string> LinkFromEmailAsync(TcmaAppFactory app, string email, int before = 0)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var mails = (await app.Inbox.ToAsync(email)).Where(m => m.Subject?.Contains("Sign in", StringComparison.Ordinal) == true).ToList();
            if (mails.Count > before) return new Uri(SignInLink().Match(mails[before].Text!).Value).PathAndQuery;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no sign-in email number {before + 1} to {email}");
            await Task.Delay(100);
        }
    }

    /// <summary>Opens the link (GET: only a Continue button) and presses Continue (POST), as a person would.</summary>
    public static async Task<HttpResponseMessage> ContinueAsync(HttpClient client, string link)
    {
        var page = await client.GetStringAsync(link);
        return await client.PostAsync(link, Form(page, "continue", []));
    }

    /// <summary>The whole sign-in: ask, read the email, continue. The client holds the session afterwards.</summary>
    public static async Task<HttpClient> SignInAsync(TcmaAppFactory app, string email)
    {
        var client = app.Anonymous();
        var before = await SignInEmailsAsync(app, email);
        Assert.Equal(HttpStatusCode.OK, (await AskForLinkAsync(client, email)).StatusCode);
        var signedIn = await ContinueAsync(client, await LinkFromEmailAsync(app, email, before));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return client;
    }

    /// <summary>A page's form as the browser would post it: its antiforgery token and form name plus the fields.</summary>
    public static FormUrlEncodedContent Form(string page, string? formName, Dictionary<string, string> fields)
    {
        var token = Antiforgery().Match(page);
        Assert.True(token.Success, "the page renders an antiforgery token");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        if (formName is not null) fields["_handler"] = formName;
        return new FormUrlEncodedContent(fields);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();

    [GeneratedRegex(@"https?://\S+/partner/signin/continue\?t=\S+")]
    public static partial Regex SignInLink();
}
