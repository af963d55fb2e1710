using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Identity;
using Tcma.Functions.Leads;
using Tcma.Storage.Partners;
using static Tcma.FunctionalTests.Portal.PortalSetup;

namespace Tcma.FunctionalTests.Identity;

/// <summary>
/// Partner portal sessions: opened by a sign-in link or by any partner link, slid with use, ended by signing out here or
/// everywhere, refused the moment the partner is removed; and every existing partner page works through them.
/// </summary>
public sealed class PartnerSessionTests
{
    private static async Task<string?> PartnerOfAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/partner/me");
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("partnerId").GetString() : null;
    }

    [Fact]
    public async Task A_session_slides_with_use_and_ends_after_a_week_unused_or_at_its_hard_end()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock);
        var email = Unique("dana");
        await PartnerAsync(app, "harbour", email);
        var client = await SignInAsync(app, email);

        for (var i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromDays(6));
            Assert.Equal("harbour", await PartnerOfAsync(client));
        }
        clock.Advance(TimeSpan.FromDays(6)); // 30 days after sign-in: the hard end, however often it was used
        Assert.Null(await PartnerOfAsync(client));

        var idle = await SignInAsync(app, email);
        clock.Advance(TimeSpan.FromDays(7));
        var page = await idle.GetAsync("/partner");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/partner/signin?returnUrl=", page.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Signing_out_ends_this_session_and_signing_out_everywhere_ends_every_device()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var email = Unique("dana");
        await PartnerAsync(app, "harbour", email);
        var phone = app.Anonymous();
        await AskForLinkAsync(phone, email);
        var signedIn = await ContinueAsync(phone, await LinkFromEmailAsync(app, email));
        var copied = signedIn.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(PartnerSessions.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
        var laptop = await SignInAsync(app, email);
        var viaLink = await SessionByLinkAsync(app, "harbour");

        // The cookie, copied before signing out, is worth nothing after: the server ended the session.
        var stolen = app.Anonymous();
        stolen.DefaultRequestHeaders.Add("Cookie", copied);
        Assert.Equal("harbour", await PartnerOfAsync(stolen));
        var home = await phone.GetStringAsync("/partner");
        var signedOut = await phone.PostAsync("/partner/signout", Form(home, null, []));
        Assert.Equal("/partner/signin?signedOut=here", signedOut.Headers.Location!.OriginalString);
        Assert.Null(await PartnerOfAsync(phone));
        Assert.Null(await PartnerOfAsync(stolen));
        Assert.Equal("harbour", await PartnerOfAsync(laptop));

        var laptopHome = await laptop.GetStringAsync("/partner");
        Assert.Contains("Sign out on every device", laptopHome);
        var everywhere = await laptop.PostAsync("/partner/signout/everywhere", Form(laptopHome, null, []));
        Assert.Equal("/partner/signin?signedOut=everywhere", everywhere.Headers.Location!.OriginalString);
        Assert.Null(await PartnerOfAsync(laptop));
        Assert.Null(await PartnerOfAsync(viaLink));

        // Another site cannot sign the partner out (or post anything) with the cookie: no antiforgery token, no deal.
        var fresh = await SignInAsync(app, email);
        Assert.Equal(HttpStatusCode.BadRequest, (await fresh.PostAsync("/partner/signout", new FormUrlEncodedContent([]))).StatusCode);
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/partner/launch/contacts") { Content = new StringContent("Email,Consent\na@b.example,yes", System.Text.Encoding.UTF8, "text/csv") };
        crossSite.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Unauthorized, (await fresh.SendAsync(crossSite)).StatusCode);
        Assert.Equal("harbour", await PartnerOfAsync(fresh));
    }

    [Fact]
    public async Task A_partner_made_inactive_or_a_contact_removed_while_signed_in_is_refused_on_the_next_request()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var (dana, sam) = (Unique("dana"), Unique("sam"));
        var partner = await PartnerAsync(app, "harbour", dana);
        var directory = app.Services.GetRequiredService<PartnerDirectory>();
        await directory.SaveAsync(Vendor, partner with { Contacts = [.. partner.Contacts, new PartnerContact("Sam", sam, "Sales", false)] }, "test", DateTimeOffset.UtcNow);
        var danaClient = await SignInAsync(app, dana);
        var samClient = await SignInAsync(app, sam);
        var linkClient = await SessionByLinkAsync(app, "harbour");

        // Sam leaves the partner: Sam's session ends, Dana's and the link's go on.
        await directory.SaveAsync(Vendor, partner, "test", DateTimeOffset.UtcNow);
        Assert.Null(await PartnerOfAsync(samClient));
        Assert.Equal("harbour", await PartnerOfAsync(danaClient));
        Assert.Equal("harbour", await PartnerOfAsync(linkClient));

        // The vendor makes the partner inactive: every session ends at once, pages go to sign-in.
        await directory.SaveAsync(Vendor, partner with { Status = PartnerStatus.Inactive }, "test", DateTimeOffset.UtcNow);
        Assert.Null(await PartnerOfAsync(danaClient));
        Assert.Null(await PartnerOfAsync(linkClient));
        var page = await danaClient.GetAsync("/partner/library");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/partner/signin", page.Headers.Location!.OriginalString);
        // ...and it cannot sign in again: the page answers as always, no link is sent.
        var sent = await SignInEmailsAsync(app, dana);
        Assert.Equal(HttpStatusCode.OK, (await AskForLinkAsync(app.Anonymous(), dana)).StatusCode);
        await Task.Delay(1500);
        Assert.Equal(sent, await SignInEmailsAsync(app, dana));
    }

    [Fact]
    public async Task Every_kind_of_partner_link_opens_the_portal_session_of_its_partner_and_never_anothers()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        await PartnerAsync(app, "harbour", Unique("dana"));
        await PartnerAsync(app, "sleepy", Unique("ivo"), status: PartnerStatus.Inactive);
        var links = new Dictionary<string, string>
        {
            ["launch"] = "/partner/launch?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "harbour", TokenPurposes.Launch)),
            ["launch control"] = "/partner/launches/cloud-backup-nurture-1?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "harbour", TokenPurposes.Launch)),
            ["leads"] = "/partner/leads?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "harbour", LeadRoutingService.InboxPurpose)),
            ["lead answer"] = "/partner/leads/answer?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, AnswerLink.Subject(true, "harbour", "lead-1", 1), TokenPurposes.Accept)),
            ["mdf"] = "/partner/mdf?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "harbour", "mdf")),
            ["social"] = "/partner/social?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "harbour", "social")),
        };
        foreach (var (kind, link) in links)
        {
            var client = app.Anonymous();
            await client.GetAsync(link);
            Assert.True("harbour" == await PartnerOfAsync(client), $"the {kind} link opened no session");
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/partner")).StatusCode);
        }

        // A session of one partner is replaced by the next link's partner, never merged with it.
        await PartnerAsync(app, "alpine", Unique("jonas"));
        var shared = app.Anonymous();
        await shared.GetAsync(links["leads"]);
        await shared.GetAsync("/partner/leads?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "alpine", LeadRoutingService.InboxPurpose)));
        Assert.Equal("alpine", await PartnerOfAsync(shared));

        // Links that stand for no partner, an inactive partner's link, and forged links open nothing.
        foreach (var link in new[]
        {
            "/partner/mdf?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "harbour", "unsubscribe")),
            "/partner/leads?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "sleepy", LeadRoutingService.InboxPurpose)),
            "/partner/leads?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "harbour", LeadRoutingService.InboxPurpose))[..^4] + "AAAA",
            "/partner/leads?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "nobody-here", LeadRoutingService.InboxPurpose)),
        })
        {
            var client = app.Anonymous();
            await client.GetAsync(link);
            Assert.Null(await PartnerOfAsync(client));
        }
    }

    [Fact]
    public async Task The_existing_partner_pages_work_with_a_session_as_with_their_own_link()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var email = Unique("dana");
        await PartnerAsync(app, "harbour", email);
        var client = await SignInAsync(app, email);

        var leads = await client.GetAsync("/partner/leads");
        Assert.Equal(HttpStatusCode.OK, leads.StatusCode);
        Assert.Contains("Your leads", await leads.Content.ReadAsStringAsync());
        var mdf = await client.GetStringAsync("/partner/mdf");
        Assert.Contains("Your market development funds", mdf);
        Assert.DoesNotContain("This link does not open MDF", mdf);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/partner/mdf")).StatusCode);
        var social = await client.GetStringAsync("/partner/social");
        Assert.DoesNotContain("This link cannot manage social accounts", social);
        Assert.Contains("LinkedIn", social);
        foreach (var page in new[] { "/partner", "/partner/library", "/partner/launches", "/partner/brand", "/partner/switch" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(page)).StatusCode);

        // Another partner's launch id is no launch of this partner's.
        var control = await client.GetAsync("/partner/launches/somebody-elses-1");
        Assert.Equal(HttpStatusCode.Redirect, control.StatusCode);
        Assert.EndsWith("/partner/link-invalid", control.Headers.Location!.OriginalString);
    }
}
