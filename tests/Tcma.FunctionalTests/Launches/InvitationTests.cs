using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Email;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using static Tcma.FunctionalTests.Launches.LaunchSetup;

namespace Tcma.FunctionalTests.Launches;

public sealed class InvitationTests
{
    private static async Task<HttpResponseMessage> OpenAsync(TcmaAppFactory app, string token) =>
        await app.Anonymous().GetAsync($"/partner/launch?t={Uri.EscapeDataString(token)}");

    private static bool Works(HttpResponseMessage page) => page.StatusCode == HttpStatusCode.OK;
    private static bool IsNeutral(HttpResponseMessage page) =>
        page.StatusCode == HttpStatusCode.Redirect && page.Headers.Location is { } to && (to.IsAbsoluteUri ? to.AbsolutePath : to.ToString()) == "/partner/link-invalid"
            ? true : throw new Xunit.Sdk.XunitException($"not the neutral page: {(int)page.StatusCode} {page.Headers.Location}");

    [Fact]
    public async Task Partners_picked_by_tier_get_one_personal_link_each_by_email_and_a_repeat_invites_nobody_twice()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await PublishedKitAsync(app);
        var (gold1, gold2, silver) = (Unique("gold1"), Unique("gold2"), Unique("silver"));
        await PartnerAsync(client, "gold-one", "Gold", gold1);
        await PartnerAsync(client, "gold-two", "Gold", gold2, Unique("gold2-second"));
        await PartnerAsync(client, "silver-one", "Silver", silver);
        var printer = Unique("printer");
        Assert.True((await client.PutAsJsonAsync($"/api/vendors/{Vendor}/partners/gold-printer", new
        {
            companyName = "Gold Printing", tier = "Gold", region = "EMEA", specialisations = new[] { "Printing" }, contacts = new[] { new { name = "P", email = printer } },
        })).IsSuccessStatusCode);

        // The kit targets Backup and Managed services specialists: a Gold printer is left out, and named.
        var invited = await InviteAsync(client, new { kitId = Kit, version = "1.0.0", tier = "gold" });
        Assert.Equal(["gold-printer"], invited.GetProperty("notTargeted").EnumerateArray().Select(e => e.GetString()));
        var named = await client.PostAsJsonAsync($"/api/vendors/{Vendor}/invitations", new { kitId = Kit, version = "1.0.0", partnerIds = new[] { "gold-printer" } });
        Assert.Equal(HttpStatusCode.BadRequest, named.StatusCode);
        Assert.Contains("gold-printer: none of its specialisations", await named.Content.ReadAsStringAsync());
        var links = invited.GetProperty("invited").EnumerateArray().ToDictionary(i => i.GetProperty("partnerId").GetString()!, i => i.GetProperty("link").GetString()!);
        Assert.Equal(["gold-one", "gold-two"], links.Keys.Order());
        Assert.NotEqual(TokenOf(links["gold-one"]), TokenOf(links["gold-two"]));

        var email = Assert.Single(await app.Inbox.WaitForAsync(gold1));
        Assert.Contains("invites you to launch", email.Subject);
        var source = await app.Inbox.SourceAsync(email.Id);
        Assert.Contains("/partner/launch?t=", source);
        Assert.Single(await app.Inbox.WaitForAsync(gold2));
        Assert.Empty(await app.Inbox.ToAsync(silver));
        Assert.Empty(await app.Inbox.ToAsync(printer));

        var again = await InviteAsync(client, new { kitId = Kit, version = "1.0.0", tier = "Gold" }, HttpStatusCode.OK);
        Assert.Equal(0, again.GetProperty("invited").GetArrayLength());
        Assert.Equal(2, again.GetProperty("alreadyInvited").GetArrayLength());
        Assert.Single(await app.Inbox.ToAsync(gold1));

        var listed = await client.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/invitations");
        Assert.Equal(2, listed.GetArrayLength());
        Assert.All(listed.EnumerateArray(), i => Assert.Equal("Open", i.GetProperty("state").GetString()));

        var page = await OpenAsync(app, TokenOf(links["gold-one"]));
        Assert.True(Works(page));
        Assert.Contains("Cloud Backup", await page.Content.ReadAsStringAsync());

        var console = await client.GetStringAsync("/console/invitations");
        Assert.Contains("gold-one IT", console);
    }

    [Fact]
    public async Task Tampered_forged_revoked_expired_and_other_vendor_links_all_show_the_same_neutral_page()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TcmaAppFactory.StartAsync(clock);
        var (vendor, token, invitationId, _) = await InvitedPartnerAsync(app);
        Assert.True(Works(await OpenAsync(app, token)));

        Assert.True(IsNeutral(await OpenAsync(app, token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA"))));
        // Signed by us for the same partner, but not an invitation: a launch link is bound to its invitation.
        Assert.True(IsNeutral(await OpenAsync(app, app.PartnerLink(Vendor, "contoso"))));
        Assert.True(IsNeutral(await OpenAsync(app, app.PartnerLink("fabrikam", "contoso"))));
        Assert.True(IsNeutral(await OpenAsync(app, "not-a-token")));
        var api = await Partner(app, token[..^2] + "xx").GetAsync("/api/partner/launch/schedule?start=2030-01-01&zone=UTC");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);

        var other = await app.SignedInAsync("fabrikam", VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/vendors/{Vendor}/invitations/{invitationId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/vendors/fabrikam/invitations/{invitationId}")).StatusCode);
        Assert.True(Works(await OpenAsync(app, token)));

        clock.Advance(TimeSpan.FromDays(29));
        Assert.True(Works(await OpenAsync(app, token)));
        vendor = await app.SignedInAsync(Vendor, VendorRole.ChannelManager); // a fresh session: a month has passed
        var revoked = await vendor.DeleteAsync($"/api/vendors/{Vendor}/invitations/{invitationId}");
        Assert.Equal("Revoked", (await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, (await vendor.DeleteAsync($"/api/vendors/{Vendor}/invitations/{invitationId}")).StatusCode);
        Assert.True(IsNeutral(await OpenAsync(app, token)));
        Assert.Equal(HttpStatusCode.NotFound, (await Partner(app, token).GetAsync("/api/partner/launch/schedule?start=2030-01-01&zone=UTC")).StatusCode);

        var second = (await InviteAsync(vendor, new { kitId = Kit, version = "1.0.0", partnerIds = new[] { "contoso" } }))
            .GetProperty("invited")[0].GetProperty("link").GetString()!;
        Assert.True(Works(await OpenAsync(app, TokenOf(second))));
        clock.Advance(TimeSpan.FromDays(30));
        Assert.True(IsNeutral(await OpenAsync(app, TokenOf(second))));
    }

    [Fact]
    public async Task An_invitation_not_marked_emailed_is_queued_again_with_the_same_link_and_its_contact_still_gets_one_email()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var (vendor, token, invitationId, contact) = await InvitedPartnerAsync(app);
        // What a request that died after queuing the emails but before marking the invitation leaves behind.
        var store = app.Services.GetRequiredService<global::Tcma.Storage.Launches.LaunchStore>();
        await store.ChangeInvitationAsync(Vendor, invitationId, i => i with { Emailed = false }, default);

        var again = await InviteAsync(vendor, new { kitId = Kit, version = "1.0.0", partnerIds = new[] { "contoso" } });
        Assert.Equal(invitationId, again.GetProperty("invited")[0].GetProperty("id").GetString());
        Assert.Contains(Uri.EscapeDataString(token), Assert.Single(await app.Inbox.WaitForAsync(contact)).Text);
        await OutboxTestSupport.WaitForDrainedAsync(app);
        Assert.Single(await app.Inbox.ToAsync(contact));
        Assert.Equal(0, (await InviteAsync(vendor, new { kitId = Kit, version = "1.0.0", partnerIds = new[] { "contoso" } }, HttpStatusCode.OK)).GetProperty("invited").GetArrayLength());
    }

    [Fact]
    public async Task Inviting_during_an_SMTP_outage_succeeds_and_each_of_two_contacts_per_partner_gets_exactly_one_email_once_SMTP_is_back()
    {
        var mail = await LocalServices.MailDev();
        await using var app = await TcmaAppFactory.StartAsync(overrides: OutboxTestSupport.FastRetries(("Email:SmtpPort", LocalServices.FreePort().ToString())));
        var client = await PublishedKitAsync(app);
        var contacts = new[] { Unique("a1"), Unique("a2"), Unique("b1"), Unique("b2") };
        await PartnerAsync(client, "two-a", "Gold", contacts[0], contacts[1]);
        await PartnerAsync(client, "two-b", "Gold", contacts[2], contacts[3]);
        var request = new { kitId = Kit, version = "1.0.0", tier = "Gold" };

        // SMTP is down and the request does not care: the invitations exist and are marked, the emails wait in the outbox.
        var invited = await InviteAsync(client, request);
        var links = invited.GetProperty("invited").EnumerateArray().ToDictionary(i => i.GetProperty("partnerId").GetString()!, i => i.GetProperty("link").GetString()!);
        Assert.Equal(["two-a", "two-b"], links.Keys.Order());
        Assert.Empty(await app.Inbox.ToAsync(contacts[0]));

        // A request that died between queuing two-a's emails and marking it: the repeat queues them again.
        var store = app.Services.GetRequiredService<global::Tcma.Storage.Launches.LaunchStore>();
        var twoA = invited.GetProperty("invited").EnumerateArray().First(i => i.GetProperty("partnerId").GetString() == "two-a").GetProperty("id").GetString()!;
        await store.ChangeInvitationAsync(Vendor, twoA, i => i with { Emailed = false }, default);
        var repeated = await InviteAsync(client, request);
        Assert.Equal(links["two-a"], Assert.Single(repeated.GetProperty("invited").EnumerateArray()).GetProperty("link").GetString());

        OutboxTestSupport.Reconfigure(app, "Email:SmtpPort", mail.SmtpPort.ToString());
        foreach (var contact in contacts)
        {
            var email = Assert.Single(await app.Inbox.WaitForAsync(contact));
            Assert.Contains("invites you to launch", email.Subject);
        }
        Assert.Contains(Uri.EscapeDataString(TokenOf(links["two-b"])), (await app.Inbox.ToAsync(contacts[3]))[0].Text);

        // Asked once more, nobody is invited or emailed again.
        var third = await InviteAsync(client, request, HttpStatusCode.OK);
        Assert.Equal(0, third.GetProperty("invited").GetArrayLength());
        Assert.Equal(2, third.GetProperty("alreadyInvited").GetArrayLength());
        await OutboxTestSupport.WaitForDrainedAsync(app);
        foreach (var contact in contacts) Assert.Single(await app.Inbox.ToAsync(contact));
    }

    [Fact]
    public async Task A_recalled_version_stops_its_links_working()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var (vendor, token, _, _) = await InvitedPartnerAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await vendor.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/recall", null)).StatusCode);
        Assert.True(IsNeutral(await OpenAsync(app, token)));
    }

    [Fact]
    public async Task Bad_invitation_requests_get_a_clear_problem_and_invite_nobody()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await PublishedKitAsync(app);
        var contact = Unique("p");
        await PartnerAsync(client, "contoso", "Gold", contact);

        async Task<(HttpStatusCode, string)> Post(HttpContent content)
        {
            var r = await client.PostAsync($"/api/vendors/{Vendor}/invitations", content);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }
        StringContent Json(string s) => new(s, System.Text.Encoding.UTF8, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, (await Post(Json("{not json"))).Item1);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Post(new StringContent("kitId=x"))).Item1);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Post(Json("{\"kitId\":\"" + new string('x', 70_000) + "\"}"))).Item1);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(Json("{}"))).Item1);
        Assert.Equal(HttpStatusCode.NotFound, (await Post(Json($"{{\"kitId\":\"{Kit}\",\"version\":\"9.9.9\"}}"))).Item1);
        var (status, body) = await Post(Json($"{{\"kitId\":\"{Kit}\",\"version\":\"1.0.0\",\"partnerIds\":[\"contoso\",\"<script>\"]}}"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("No partner", body);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(Json($"{{\"kitId\":\"{Kit}\",\"version\":\"1.0.0\",\"tier\":\"Platinum\"}}"))).Item1);
        Assert.Empty(await app.Inbox.ToAsync(contact));

        var zip = new ByteArrayContent(KitZips_Version2());
        zip.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/zip");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/vendors/{Vendor}/kits", zip)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Post(Json($"{{\"kitId\":\"{Kit}\",\"version\":\"2.0.0\"}}"))).Item1);

        var viewer = await app.SignedInAsync(Vendor, VendorRole.Finance);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/vendors/{Vendor}/invitations", new { kitId = Kit, version = "1.0.0" })).StatusCode);
    }

    private static byte[] KitZips_Version2() =>
        Kits.KitZips.CloudBackupWith(manifest => manifest.Replace("\"version\": \"1.0.0\"", "\"version\": \"2.0.0\""));
}
