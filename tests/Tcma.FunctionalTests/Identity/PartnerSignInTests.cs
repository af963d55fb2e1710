using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Identity;
using Tcma.Storage.Partners;
using static Tcma.FunctionalTests.Portal.PortalSetup;

namespace Tcma.FunctionalTests.Identity;

/// <summary>
/// Passwordless sign-in to the partner portal, through the sign-in page, the email outbox and maildev: the same answer
/// for every address, one single-use link of 15 minutes only to a contact of an active partner, a GET that only asks.
/// </summary>
public sealed class PartnerSignInTests
{
    [Fact]
    public async Task Known_and_unknown_addresses_get_the_same_answer_and_only_an_active_partners_contact_gets_a_link()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var (known, stranger, inactive, removed) = (Unique("dana"), Unique("nobody"), Unique("ivo"), Unique("rem"));
        await PartnerAsync(app, "harbour", known);
        await PartnerAsync(app, "sleepy", inactive, status: PartnerStatus.Inactive);
        var partner = await PartnerAsync(app, "alpine", removed);
        // The contact left the partner: the index row may linger, the partner row has the last word.
        await app.Services.GetRequiredService<PartnerDirectory>().SaveAsync(Vendor, partner with { Contacts = [new("New", Unique("new"), "Owner", true)] }, "test", DateTimeOffset.UtcNow);

        var answers = new List<string>();
        foreach (var address in new[] { known, stranger, inactive, removed })
        {
            var response = await AskForLinkAsync(app.Anonymous(), address.ToUpperInvariant());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("a sign-in link is on its way", html);
            answers.Add(html.Replace(address.ToUpperInvariant(), "ADDRESS").Split("<main")[1]);
        }
        Assert.Single(answers.Distinct());

        var mail = Assert.Single(await app.Inbox.WaitForAsync(known));
        Assert.Contains("/partner/signin/continue?t=", mail.Text);
        Assert.Contains("15 minutes", mail.Text);
        // The queue has taken every request by now: give the others as long, and nothing arrives.
        await Task.Delay(1500);
        foreach (var address in new[] { stranger, inactive, removed }) Assert.Empty(await app.Inbox.ToAsync(address));
    }

    [Fact]
    public async Task Opening_the_link_only_asks_continuing_signs_in_once_and_a_used_link_is_dead()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var email = Unique("dana");
        await PartnerAsync(app, "harbour", email);
        var client = app.Anonymous();
        await AskForLinkAsync(client, email, returnUrl: "/partner/library");
        var link = await LinkFromEmailAsync(app, email);
        Assert.Contains("returnUrl=%2Fpartner%2Flibrary", link);

        // A mail scanner's GET, twice: nothing happens, nobody is signed in.
        for (var i = 0; i < 2; i++)
        {
            var scanned = await app.Anonymous().GetAsync(link);
            Assert.Equal(HttpStatusCode.OK, scanned.StatusCode);
            Assert.Contains(">Continue</button>", await scanned.Content.ReadAsStringAsync());
            Assert.False(scanned.Headers.Contains("Set-Cookie") && scanned.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(PartnerSessions.CookieName)));
        }

        var continued = await ContinueAsync(client, link);
        Assert.Equal(HttpStatusCode.Redirect, continued.StatusCode);
        Assert.Equal("/partner/library", new Uri(new Uri("http://localhost"), continued.Headers.Location!).PathAndQuery);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/partner/me");
        Assert.Equal("harbour", me.GetProperty("partnerId").GetString());
        Assert.Equal(Vendor, me.GetProperty("vendorId").GetString());
        Assert.Equal(TokenPurposes.Session, me.GetProperty("linkPurpose").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/partner")).StatusCode);

        // The same link again, from another browser, or in a race: the first POST used it.
        var again = app.Anonymous();
        var page = await again.GetAsync(link);
        var second = await again.PostAsync(link, Form(await page.Content.ReadAsStringAsync(), "continue", []));
        Assert.Equal(HttpStatusCode.Gone, second.StatusCode);
        Assert.Contains("can't be used", await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync("/api/partner/me")).StatusCode);
    }

    [Fact]
    public async Task An_expired_or_forged_link_signs_nobody_in_and_is_no_partner_link_anywhere_else()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock);
        var email = Unique("dana");
        await PartnerAsync(app, "harbour", email);
        await AskForLinkAsync(app.Anonymous(), email);
        var link = await LinkFromEmailAsync(app, email);
        var token = Uri.UnescapeDataString(link.Split("t=")[1].Split('&')[0]);

        // A sign-in link names an address, not a partner: it opens no partner API, and no session by being opened.
        var asLink = app.Anonymous();
        asLink.DefaultRequestHeaders.Add(Schemes.LinkHeader, token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asLink.GetAsync("/api/partner/me")).StatusCode);

        var forged = link.Replace(token[..10], token[..9] + (token[9] == 'A' ? 'B' : 'A'));
        Assert.Equal(HttpStatusCode.Gone, (await app.Anonymous().GetAsync(forged)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await app.Anonymous().GetAsync("/partner/signin/continue?t=nonsense")).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await app.Anonymous().GetAsync("/partner/signin/continue")).StatusCode);

        var client = app.Anonymous();
        var page = await (await client.GetAsync(link)).Content.ReadAsStringAsync();
        clock.Advance(TimeSpan.FromMinutes(16));
        var late = await client.PostAsync(link, Form(page, "continue", []));
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await app.Anonymous().GetAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/partner/me")).StatusCode);
    }

    [Fact]
    public async Task A_contact_of_partners_of_two_vendors_chooses_which_and_can_switch_without_another_email()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var email = Unique("dana");
        await PartnerAsync(app, "harbour", email, vendor: "northwind");
        await PartnerAsync(app, "harbour-eu", email, vendor: "contoso");
        await PartnerAsync(app, "elsewhere", Unique("other"), vendor: "contoso");

        var client = app.Anonymous();
        await AskForLinkAsync(client, email);
        var link = await LinkFromEmailAsync(app, email);
        var chooser = await ContinueAsync(client, link);
        Assert.Equal(HttpStatusCode.OK, chooser.StatusCode);
        var page = await chooser.Content.ReadAsStringAsync();
        Assert.Contains("Which partner are you signing in for?", page);
        Assert.Contains("harbour IT", page);
        Assert.Contains("harbour-eu IT", page);
        var choice = System.Text.RegularExpressions.Regex.Match(page, "name=\"choice\" value=\"([^\"]+)\"").Groups[1].Value;

        // The choice proves the address: it does not stretch to a partner the address is no contact of.
        var other = await client.PostAsync("/partner/signin/choose", Form(page, null, new() { ["choice"] = choice, ["vendorId"] = "contoso", ["partnerId"] = "elsewhere" }));
        Assert.Equal("/partner/signin?expired=1", other.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/partner/me")).StatusCode);

        var chosen = await client.PostAsync("/partner/signin/choose", Form(page, null, new() { ["choice"] = choice, ["vendorId"] = "contoso", ["partnerId"] = "harbour-eu" }));
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        Assert.Equal("contoso", (await client.GetFromJsonAsync<JsonElement>("/api/partner/me")).GetProperty("vendorId").GetString());

        var switchPage = await client.GetStringAsync("/partner/switch");
        Assert.Contains("Switch to harbour IT", switchPage);
        var switched = await client.PostAsync("/partner/switch/choose", Form(switchPage, null, new() { ["vendorId"] = "northwind", ["partnerId"] = "harbour" }));
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/partner/me");
        Assert.Equal(("northwind", "harbour"), (me.GetProperty("vendorId").GetString(), me.GetProperty("partnerId").GetString()));
        var sneaky = await client.PostAsync("/partner/switch/choose", Form(await client.GetStringAsync("/partner/switch"), null, new() { ["vendorId"] = "contoso", ["partnerId"] = "elsewhere" }));
        Assert.Equal(HttpStatusCode.Forbidden, sneaky.StatusCode);
    }

    [Fact]
    public async Task Asking_too_often_for_one_address_or_from_one_network_is_refused_without_saying_whether_the_address_is_known()
    {
        await using var app = await TcmaAppFactory.StartAsync(overrides: new Dictionary<string, string?>
        {
            ["PartnerPortal:SignInsPerAddressPerHour"] = "2",
            ["PartnerPortal:SignInsPerIpPerHour"] = "7",
        });
        var email = Unique("dana");
        await PartnerAsync(app, "harbour", email);
        var client = app.Anonymous();

        foreach (var address in new[] { email, Unique("nobody") })
        {
            Assert.Equal(HttpStatusCode.OK, (await AskForLinkAsync(client, address)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await AskForLinkAsync(client, address)).StatusCode);
            var third = await AskForLinkAsync(client, address);
            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.Contains("several sign-in links to this address", await third.Content.ReadAsStringAsync());
            Assert.True(third.Headers.RetryAfter is not null);
        }
        Assert.Equal(2, (await app.Inbox.WaitForAsync(email, 2)).Count);

        Assert.Equal(HttpStatusCode.OK, (await AskForLinkAsync(client, Unique("x"))).StatusCode);
        var flood = await AskForLinkAsync(client, Unique("y"));
        Assert.Equal(HttpStatusCode.TooManyRequests, flood.StatusCode);
        Assert.Contains("from your network", await flood.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Nonsense_in_the_form_is_answered_on_the_page_and_sends_nothing()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = app.Anonymous();
        foreach (var bad in new[] { "", "not-an-address", new string('a', 300) + "@x.example", "a@b\r\nBcc: victim@x.example" })
        {
            var response = await AskForLinkAsync(client, bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("role=\"alert\"", await response.Content.ReadAsStringAsync());
        }
        // Without the page's antiforgery token, the form is refused before anything is counted or queued.
        var forged = await client.PostAsync("/partner/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "signin", ["email"] = "a@b.example" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }
}
