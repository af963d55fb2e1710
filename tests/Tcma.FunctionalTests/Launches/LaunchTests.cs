using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Launches;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage.Launches;
using Tcma.Storage.Workflows;
using static Tcma.FunctionalTests.Launches.LaunchSetup;

namespace Tcma.FunctionalTests.Launches;

public sealed partial class LaunchTests
{
    [System.Text.RegularExpressions.GeneratedRegex("""https?://[^"'\s<>]+/r/[^"'\s<>]+""")]
    private static partial System.Text.RegularExpressions.Regex TrackedLinks();

    // 05:00 UTC on a Monday: before day 0's 09:00-11:00 Berlin window.
    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero));

    private static string Csv(params string[] emails) =>
        "Email,First name,Last name,Company,Consent\n" + string.Join("\n", emails.Select((e, i) => $"{e},Person{i},Last,Firm {i},yes")) + "\n";

    [Fact]
    public async Task Contacts_are_counted_by_consent_duplicates_and_validity_and_formulas_stay_text()
    {
        await using var app = await TcmaAppFactory.StartAsync(Clock());
        var (_, token, _, _) = await InvitedPartnerAsync(app);
        var partner = Partner(app, token);
        var csv = "Email,First name,Consent\nada@example.com,=HYPERLINK(\"http://evil\"),yes\nADA@example.com,Ada,yes\nbob@example.com,Bob,no\nnot-an-address,X,yes\ncy@example.com,Cy,Yes\n";
        var response = await partner.PostAsync("/api/partner/launch/contacts", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        var view = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((2, 1, 1, 1), (view.GetProperty("imported").GetInt32(), view.GetProperty("withoutConsent").GetInt32(),
            view.GetProperty("duplicates").GetInt32(), view.GetProperty("invalid").GetInt32()));

        var notCsv = await partner.PostAsync("/api/partner/launch/contacts", new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0, 0, 1]) { Headers = { ContentType = new("text/csv") } });
        Assert.Equal(HttpStatusCode.BadRequest, notCsv.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await partner.PostAsync("/api/partner/launch/contacts", JsonContent.Create(new { }))).StatusCode);
        var huge = new StringContent("Email,Consent\n" + string.Concat(Enumerable.Repeat("someone@example.com,yes\n", 260_000)), System.Text.Encoding.UTF8, "text/csv");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await partner.PostAsync("/api/partner/launch/contacts", huge)).StatusCode);
    }

    [Fact]
    public async Task Concurrent_confirms_of_one_invitation_make_exactly_one_launch()
    {
        await using var app = await TcmaAppFactory.StartAsync(Clock());
        var (_, token, invitationId, _) = await InvitedPartnerAsync(app);
        var partner = Partner(app, token);
        var contacts = await UploadContactsAsync(partner, Csv(Unique("a"), Unique("b")));
        var body = Confirm(invitationId, "2026-12-07", contacts);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => partner.PostAsJsonAsync("/api/partner/launch", body)));
        var views = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, r.StatusCode.ToString()));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Single(views.Select(v => v.GetProperty("launchId").GetString()).Distinct());
        var launchId = views[0].GetProperty("launchId").GetString()!;
        Assert.Matches("^cloud-backup-nurture-[0-9]+$", launchId);

        var retry = await partner.PostAsJsonAsync("/api/partner/launch", body);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(launchId, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("launchId").GetString());
        Assert.Single(await app.Services.GetRequiredService<LaunchStore>().LaunchIdsOfAsync(Vendor, Kit, "1.0.0", default));
    }

    [Fact]
    public async Task A_bad_confirmation_lists_every_problem_and_launches_nothing()
    {
        await using var app = await TcmaAppFactory.StartAsync(Clock());
        var (_, token, invitationId, _) = await InvitedPartnerAsync(app);
        var partner = Partner(app, token);
        var response = await partner.PostAsJsonAsync("/api/partner/launch", new
        {
            launchKey = invitationId, startDate = "2026-12-01", timeZone = "Mars/Olympus",
            edits = new { body = new string('x', 91), price = "free" }, email = true, contacts = "northwind/other-partner/0000.json", networks = new[] { "myspace" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "body", "contacts", "networks", "price", "startDate", "timeZone" })
            Assert.True(errors.TryGetProperty(field, out _), $"no problem named {field}: {errors}");
        Assert.Equal(HttpStatusCode.BadRequest, (await partner.PostAsync("/api/partner/launch", new StringContent("{", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await partner.PostAsJsonAsync("/api/partner/launch", Confirm("someone-else", "2026-12-08", null, networks: ["LinkedIn"]))).StatusCode);
        Assert.Empty(await app.Services.GetRequiredService<LaunchStore>().LaunchIdsOfAsync(Vendor, Kit, "1.0.0", default));
    }

    [Fact]
    public async Task Due_touches_hand_one_personalised_email_per_contact_to_the_mailer_and_pause_stops_the_next_one()
    {
        var clock = Clock();
        // The social publisher posts to a closed loopback port: this test is about what the launch hands on.
        await using var app = await TcmaAppFactory.StartAsync(clock, new Dictionary<string, string?> { ["Syndication:LinkedIn:BaseUrl"] = $"http://127.0.0.1:{LocalServices.FreePort()}/" });
        var (_, token, invitationId, contact) = await InvitedPartnerAsync(app);
        var partner = Partner(app, token);
        var notConnected = await partner.PostAsJsonAsync("/api/partner/launch", Confirm(invitationId, "2026-12-07", null, networks: ["LinkedIn"]));
        Assert.Contains("Connect your LinkedIn account first", await notConnected.Content.ReadAsStringAsync());
        await app.Services.GetRequiredService<global::Tcma.Storage.Syndication.SocialAccountStore>().ConnectAsync(Vendor, "contoso",
            new global::Tcma.Storage.Syndication.SocialAccountConnection(Domain.SocialNetwork.LinkedIn, "urn:li:person:1", "Contoso", "protected", null, null, ["w_member_social"]), clock.GetUtcNow());
        var (ada, bob) = (Unique("ada"), Unique("bob"));
        var contacts = await UploadContactsAsync(partner, Csv(ada, bob));
        var confirmed = await partner.PostAsJsonAsync("/api/partner/launch",
            Confirm(invitationId, "2026-12-07", contacts, edits: new { intro = "<b>Bold</b> & honest", body = "Checked nightly by <i>Contoso</i>" }, networks: ["LinkedIn"]));
        Assert.Equal(HttpStatusCode.Created, confirmed.StatusCode);
        var launch = await confirmed.Content.ReadFromJsonAsync<JsonElement>();
        var launchId = launch.GetProperty("launchId").GetString()!;
        Assert.StartsWith("Mon 7 Dec 2026 09:00 Europe/Berlin", launch.GetProperty("touches")[0].GetProperty("dueLocal").GetString());
        var statusUrl = launch.GetProperty("statusUrl").GetString()!;

        // The confirmation email carries the control links.
        var confirmation = Assert.Single(await app.Inbox.WaitForAsync(contact, 2), e => e.Subject?.StartsWith("Launched") == true);
        Assert.Contains("/pause?t=", await app.Inbox.SourceAsync(confirmation.Id));

        var engine = app.Services.GetRequiredService<WorkflowEngine>();
        var launches = app.Services.GetRequiredService<Functions.Launches.LaunchService>();
        Assert.True((await EventuallyAsync(() => launches.StateAsync(Vendor, launchId, default), s => s?.AssetsRendered == true))!.AssetsRendered);

        clock.Advance(TimeSpan.FromHours(3)); // 08:00 UTC = 09:00 Berlin
        await engine.SweepAsync();

        // The campaign mailer (consuming campaign-emails) delivers one personalised email per contact.
        var received = Assert.Single(await app.Inbox.WaitForAsync(ada));
        Assert.Single(await app.Inbox.WaitForAsync(bob));
        Assert.Contains("Sample Partner IT", received.From[0].Name);
        Assert.Contains("Person0", received.Html);
        Assert.Contains("&lt;b&gt;Bold&lt;/b&gt; &amp; honest", received.Html);
        Assert.DoesNotContain(CampaignEmail.UnsubscribePlaceholder, received.Html + received.Text);
        var source = await app.Inbox.SourceAsync(received.Id);
        Assert.Contains("List-Unsubscribe:", source);
        Assert.Contains("sam@sample-partner.example", source); // Reply-To the partner
        // The landing page link is tracked: the redirect leads to this launch's landing page.
        var tracked = TrackedLinks().Matches(received.Html!).Select(m => new Uri(System.Net.WebUtility.HtmlDecode(m.Value)).PathAndQuery).ToList();
        Assert.NotEmpty(tracked);
        var targets = new List<string>();
        foreach (var path in tracked.Distinct())
            targets.Add((await app.Anonymous().GetAsync(path)).Headers.Location?.ToString() ?? "");
        Assert.Contains(targets, t => t.Contains($"/p/{Vendor}/contoso/{Kit}?launch={launchId}"));
        // That landing page says what the partner wrote (as text); without the launch it shows the kit's own words.
        var landing = await app.Anonymous().GetStringAsync($"/p/{Vendor}/contoso/{Kit}?launch={launchId}");
        Assert.Contains("Checked nightly by &lt;i&gt;Contoso&lt;/i&gt;", landing);
        Assert.DoesNotContain("Checked nightly", await app.Anonymous().GetStringAsync($"/p/{Vendor}/contoso/{Kit}"));

        var gate = app.Services.GetRequiredService<ILaunchSendGate>();
        var sent = await EventuallyAsync(() => launches.StateAsync(Vendor, launchId, default), s => s!.AllTouches[0].State == TouchState.Sent);
        Assert.Equal(2, sent!.AllTouches[0].Sent);
        var first = sent.AllTouches[0];
        // Handed on but still queued for the mailer: still allowed, until a pause.
        Assert.True(await gate.MaySendAsync(Vendor, launchId, first.TouchId, default));
        Assert.False(await gate.MaySendAsync(Vendor, launchId, sent.AllTouches[2].TouchId, default));

        // Pause through the partner's control page: a GET asks, only the POST acts.
        var controlToken = TokenOf(statusUrl);
        var page = app.Anonymous();
        var question = await page.GetStringAsync($"/partner/launches/{launchId}/pause?t={Uri.EscapeDataString(controlToken)}");
        Assert.Contains("Pause this launch?", question);
        Assert.Equal(LaunchStatus.Running, (await launches.StateAsync(Vendor, launchId, default))!.Status);
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "launch-control",
            ["__RequestVerificationToken"] = System.Text.RegularExpressions.Regex.Match(question, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value,
        });
        var acted = await page.PostAsync($"/partner/launches/{launchId}/pause?t={Uri.EscapeDataString(controlToken)}", form);
        Assert.Contains("The launch is now paused", await acted.Content.ReadAsStringAsync());
        Assert.Equal(LaunchStatus.Paused, (await launches.StateAsync(Vendor, launchId, default))!.Status);
        Assert.False(await gate.MaySendAsync(Vendor, launchId, first.TouchId, default));

        clock.Advance(TimeSpan.FromDays(2) - TimeSpan.FromMinutes(30)); // 07:30 UTC = 08:30 Berlin, inside the LinkedIn touch's window
        await engine.SweepAsync();
        await Task.Delay(500);
        Assert.Equal(TouchState.Scheduled, (await launches.StateAsync(Vendor, launchId, default))!.AllTouches[1].State);

        // Resume while day 2's 08:00-09:00 window is open: the post goes now.
        await launches.ControlAsync(Vendor, launchId, LaunchWorkflow.Resumed, "contoso", default);
        await engine.SweepAsync();
        // Handed to the social publisher (which consumes social-posts): the touch is Sent with one post.
        var posted = await EventuallyAsync(() => launches.StateAsync(Vendor, launchId, default), s => s!.AllTouches[1].State == TouchState.Sent);
        Assert.Equal((TouchState.Sent, 1), (posted!.AllTouches[1].State, posted.AllTouches[1].Sent));

        var status = await Partner(app, controlToken).GetFromJsonAsync<JsonElement>($"/api/partner/launches/{launchId}");
        Assert.Equal("Running", status.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Partner(app, token).GetAsync($"/api/partner/launches/{launchId}")).StatusCode);
    }

    [Fact]
    public async Task A_kit_recall_stops_every_launch_of_that_version_and_the_gate_says_no()
    {
        var clock = Clock();
        await using var app = await TcmaAppFactory.StartAsync(clock);
        var (vendor, token, invitationId, _) = await InvitedPartnerAsync(app);
        var partner = Partner(app, token);
        var recipient = Unique("x");
        var contacts = await UploadContactsAsync(partner, Csv(recipient));
        var launch = await (await partner.PostAsJsonAsync("/api/partner/launch", Confirm(invitationId, "2026-12-08", contacts))).Content.ReadFromJsonAsync<JsonElement>();
        var launchId = launch.GetProperty("launchId").GetString()!;
        var launches = app.Services.GetRequiredService<Functions.Launches.LaunchService>();

        Assert.Equal(HttpStatusCode.OK, (await vendor.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/recall", null)).StatusCode);
        var state = await EventuallyAsync(() => launches.StateAsync(Vendor, launchId, default), s => s!.Status == LaunchStatus.Recalled);
        Assert.Equal(LaunchStatus.Recalled, state!.Status);
        Assert.All(state.AllTouches.Where(t => t.State != TouchState.Skipped), t => Assert.Equal(TouchState.Stopped, t.State));

        clock.Advance(TimeSpan.FromDays(1));
        await app.Services.GetRequiredService<WorkflowEngine>().SweepAsync();
        await Task.Delay(1000);
        Assert.Empty(await app.Inbox.ToAsync(recipient));
        Assert.False(await app.Services.GetRequiredService<ILaunchSendGate>().MaySendAsync(Vendor, launchId, state.AllTouches[0].TouchId, default));
    }
}

/// <summary>The fan-out of an email touch after a crash and on redelivery, driven by hand (no trigger host, no mailer).</summary>
public sealed class LaunchFanOutTests
{
    [Fact]
    public async Task A_fan_out_resumes_after_its_last_recorded_chunk_and_a_redelivery_after_it_finished_sends_nothing()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock, new Dictionary<string, string?> { ["Launches:ChunkSize"] = "2" }, localTriggerHost: false);
        var (_, token, invitationId, _) = await InvitedPartnerAsync(app);
        var partner = Partner(app, token);
        var emails = Enumerable.Range(0, 5).Select(i => Unique($"c{i}")).ToArray();
        var contacts = await UploadContactsAsync(partner, "Email,Consent\n" + string.Join("\n", emails.Select(e => $"{e},yes")) + "\n");
        var launch = await (await partner.PostAsJsonAsync("/api/partner/launch", Confirm(invitationId, "2026-12-07", contacts))).Content.ReadFromJsonAsync<JsonElement>();
        var launchId = launch.GetProperty("launchId").GetString()!;
        var launches = app.Services.GetRequiredService<Functions.Launches.LaunchService>();
        var store = app.Services.GetRequiredService<LaunchStore>();

        clock.Advance(TimeSpan.FromHours(3));
        await app.Services.GetRequiredService<WorkflowEngine>().SweepAsync();
        var touch = (await launches.StateAsync(Vendor, launchId, default))!.AllTouches[0];
        Assert.Equal(TouchState.Sending, touch.State);

        // The crash: chunk 0 (two recipients) was queued and recorded, then the process died.
        await store.RecordChunkAsync(Vendor, launchId, touch.TouchId, 1, default);
        var work = new LaunchWork(LaunchWork.Send, Vendor, launchId, touch.Index);
        await launches.SendTouchAsync(work, default);
        var queued = await QueuedAsync<CampaignEmail>(app, CampaignEmail.Queue);
        Assert.Equal(emails.Skip(2).Order(StringComparer.Ordinal), queued.Select(e => e.RecipientEmail).Order(StringComparer.Ordinal));
        Assert.Equal(3, await store.NextChunkAsync(Vendor, launchId, touch.TouchId, default));
        Assert.Equal(TouchState.Sent, (await launches.StateAsync(Vendor, launchId, default))!.AllTouches[0].State);

        await launches.SendTouchAsync(work, default);
        Assert.Equal(3, (await QueuedAsync<CampaignEmail>(app, CampaignEmail.Queue)).Count);
    }

    [Fact]
    public async Task Preview_endpoints_refuse_unknown_assets_edits_over_their_limits_and_serve_vendor_html_sandboxed()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var (_, token, _, _) = await InvitedPartnerAsync(app);
        var partner = Partner(app, token);
        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync("/api/partner/launch/images/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync("/api/partner/launch/emails/nope")).StatusCode);
        var tooLong = await partner.GetAsync($"/api/partner/launch/preview?e.body={new string('x', 91)}&e.price=0");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var errors = (await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("body", out _) && errors.TryGetProperty("price", out _));
        var email = await partner.GetAsync("/api/partner/launch/emails/welcome?e.intro=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        Assert.Equal(HttpStatusCode.OK, email.StatusCode);
        Assert.StartsWith("sandbox", email.Headers.GetValues("Content-Security-Policy").Single());
        var html = await email.Content.ReadAsStringAsync();
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.DoesNotContain("<script>alert(1)", html);
        var image = await partner.GetAsync("/api/partner/launch/images/social-banner?e.headline=Never%20lose%20a%20file%20again");
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await partner.GetAsync("/api/partner/launch/images/social-banner?e.headline=Free%20money")).StatusCode);
    }
}
