using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Launches;
using Tcma.Email.Campaigns;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Identity;
using Tcma.Functions.Launches;
using Tcma.Storage.Launches;
using Tcma.Storage.Workflows;
using static Tcma.FunctionalTests.Launches.LaunchSetup;

namespace Tcma.FunctionalTests.Launches;

/// <summary>
/// Opens (the pixel), clicks, and the audiences of later touches that depend on them, through the real launch:
/// workflow, fan-out, mailer, maildev.
/// </summary>
public sealed partial class EngagementTests
{
    // 05:00 UTC on a Monday: before day 0's 09:00-11:00 Berlin window. Day 5's case study is due 10:00 Berlin on the 12th.
    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero));
    private static readonly DateTimeOffset Day0 = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day5 = new(2026, 12, 12, 9, 0, 0, TimeSpan.Zero);

    [GeneratedRegex("""https?://[^"'\s<>]+/o/[^"'\s<>]+""")]
    private static partial Regex PixelUrl();

    [GeneratedRegex("""https?://[^"'\s<>]+/r/[^"'\s<>]+""")]
    private static partial Regex TrackedUrl();

    private static string PathOf(string url) => new Uri(WebUtility.HtmlDecode(url)).PathAndQuery;

    private static async Task<HttpResponseMessage> LoadPixelAsync(TcmaAppFactory app, string path)
    {
        var response = await app.Anonymous().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/gif", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(OpenTracking.Pixel.ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.True(response.Headers.CacheControl?.NoStore, "the pixel must not be cached");
        return response;
    }

    [Fact]
    public async Task The_pixel_is_always_the_image_uncached_and_records_one_open_per_send_only_for_our_tokens()
    {
        await using var app = await TcmaAppFactory.StartAsync(Clock(), localTriggerHost: false);
        var links = app.Services.GetRequiredService<ICampaignLinks>();
        var engagement = app.Services.GetRequiredService<CampaignEngagementStore>();
        var sendId = LaunchWorkflow.SendId("kit-1", "0-welcome", Unique("ana"));
        var email = new CampaignEmail(Vendor, "contoso", "kit-1", "0-welcome", sendId, "ana@customer.example", null, "Contoso", "sales@contoso.example",
            "Contoso GmbH, Berlin", "Subject", "<p>x</p>", "x", "Campaign");
        var pixel = PathOf(links.OpenPixel(email));
        Assert.StartsWith("/o/", pixel);
        Assert.DoesNotContain("ana", pixel); // nothing personal in the URL

        await LoadPixelAsync(app, pixel);
        await LoadPixelAsync(app, pixel); // the reader opens the email again
        Assert.Equal(new TouchEngagement(1, 0), Assert.Single(await engagement.ByTouchAsync(Vendor, "kit-1")).Value);

        // Forged, tampered, another purpose's token, garbage, an oversized one: the image, and nothing recorded.
        var tokens = app.Services.GetRequiredService<LinkTokens>();
        var otherPurpose = tokens.Create(TrackedLinks.TokenPurpose, OpenTracking.TokenSubject("kit-2", "0-welcome", sendId), Vendor, TimeSpan.FromDays(1));
        var badSubject = tokens.Create(OpenTracking.TokenPurpose, OpenTracking.TokenSubject("kit-2", "0-welcome", "not-a-send"), Vendor, TimeSpan.FromDays(1));
        var tampered = pixel[..^3] + (pixel[^3] == 'A' ? "B" : "A") + pixel[^2..];
        foreach (var path in new[] { tampered, $"/o/{otherPurpose}", $"/o/{badSubject}", "/o/nonsense", "/o/" + new string('x', 3000), "/o/%3Cscript%3E.gif" })
            await LoadPixelAsync(app, path);
        Assert.Empty(await engagement.ByTouchAsync(Vendor, "kit-2"));
        Assert.Equal(new TouchEngagement(1, 0), Assert.Single(await engagement.ByTouchAsync(Vendor, "kit-1")).Value);
    }

    /// <summary>Three contacts get day 0's email: one opens it (loads its pixel), one clicks a link in it, one does nothing.</summary>
    private static async Task<(TcmaAppFactory App, string LaunchId, string StatusUrl, string Opener, string Clicker, string Idle)> DayZeroAsync(
        FakeTimeProvider clock, Func<string, string>? manifest)
    {
        var app = await TcmaAppFactory.StartAsync(clock);
        var (_, token, invitationId, _) = await InvitedPartnerAsync(app, manifest: manifest);
        var partner = Partner(app, token);
        var (opener, clicker, idle) = (Unique("opener"), Unique("clicker"), Unique("idle"));
        var contacts = await UploadContactsAsync(partner, $"Email,First name,Consent\n{opener},Olga,yes\n{clicker},Carl,yes\n{idle},Ida,yes\n");
        var confirmed = await partner.PostAsJsonAsync("/api/partner/launch", Confirm(invitationId, "2026-12-07", contacts));
        Assert.Equal(HttpStatusCode.Created, confirmed.StatusCode);
        var launch = await confirmed.Content.ReadFromJsonAsync<JsonElement>();
        var launchId = launch.GetProperty("launchId").GetString()!;

        clock.Advance(Day0 - clock.GetUtcNow());
        await app.Services.GetRequiredService<WorkflowEngine>().SweepAsync();
        var toOpener = Assert.Single(await app.Inbox.WaitForAsync(opener));
        var toClicker = Assert.Single(await app.Inbox.WaitForAsync(clicker));
        Assert.Single(await app.Inbox.WaitForAsync(idle));

        // The pixel is in the HTML part only, once.
        Assert.Single(PixelUrl().Matches(toOpener.Html!));
        Assert.DoesNotContain("/o/", toOpener.Text);
        await LoadPixelAsync(app, PathOf(PixelUrl().Match(toOpener.Html!).Value));
        // The clicker's mail client blocks images: only the click is seen.
        var click = await app.Anonymous().GetAsync(PathOf(TrackedUrl().Match(toClicker.Html!).Value));
        Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
        return (app, launchId, launch.GetProperty("statusUrl").GetString()!, opener, clicker, idle);
    }

    private static (int, int, int, int) Counts(JsonElement e) =>
        (e.GetProperty("sent").GetInt32(), e.GetProperty("opened").GetInt32(), e.GetProperty("clicked").GetInt32(), e.GetProperty("skippedByAudience").GetInt32());

    private static async Task<string> EmailStatsRowAsync(TcmaAppFactory app, string statusUrl, string touchId)
    {
        var html = await app.Anonymous().GetStringAsync(new Uri(statusUrl).PathAndQuery);
        var row = Regex.Match(html, $"<tr data-touch=\"{Regex.Escape(touchId)}\">(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(row.Success, $"no row for {touchId} in the email stats");
        return string.Join(" ", Regex.Matches(row.Groups[1].Value, "<td[^>]*>(.*?)</td>", RegexOptions.Singleline).Select(m => m.Groups[1].Value.Trim()));
    }

    [Fact]
    public async Task A_non_openers_email_reaches_only_those_who_neither_opened_nor_clicked_and_the_status_page_counts_it()
    {
        var clock = Clock();
        var (app, launchId, statusUrl, opener, clicker, idle) = await DayZeroAsync(clock, manifest: null);
        await using var _ = app;
        var log = app.Services.GetRequiredService<CampaignSendLog>();

        clock.Advance(Day5 - clock.GetUtcNow());
        await app.Services.GetRequiredService<WorkflowEngine>().SweepAsync();
        Assert.Equal(2, (await app.Inbox.WaitForAsync(idle, 2)).Count);
        var summary = await EventuallyAsync(() => log.SummariseAsync(Vendor, launchId), s => s.Count("2-case-study", CampaignSendState.Sent) == 1);
        Assert.Equal(1, summary.Count("2-case-study", CampaignSendState.Sent));
        Assert.Equal(2, summary.Count("2-case-study", CampaignSendState.SkippedAudience));
        // The clicker counts as an opener: neither got the case study.
        Assert.Single(await app.Inbox.ToAsync(opener));
        Assert.Single(await app.Inbox.ToAsync(clicker));

        var launches = app.Services.GetRequiredService<LaunchService>();
        var state = await EventuallyAsync(() => launches.StateAsync(Vendor, launchId, default), s => s!.AllTouches[2].State == TouchState.Sent);
        Assert.Equal(1, state!.AllTouches[2].Sent);

        // What the partner sees: sent, opened (the clicker included), clicked, left out by the audience.
        Assert.Equal("welcome 3 2 1 0", await EmailStatsRowAsync(app, statusUrl, "0-welcome"));
        Assert.Equal("case-study (to non-openers) 1 0 0 2", await EmailStatsRowAsync(app, statusUrl, "2-case-study"));
        var control = System.Web.HttpUtility.ParseQueryString(new Uri(statusUrl).Query)["t"]!;
        var status = await Partner(app, control).GetFromJsonAsync<JsonElement>($"/api/partner/launches/{launchId}");
        var emails = status.GetProperty("emails").EnumerateArray().ToDictionary(e => e.GetProperty("touchId").GetString()!);
        Assert.Equal((3, 2, 1, 0), Counts(emails["0-welcome"]));
        Assert.Equal((1, 0, 0, 2), Counts(emails["2-case-study"]));
        Assert.Equal("non-openers", emails["2-case-study"].GetProperty("audience").GetString());
    }

    [Fact]
    public async Task A_non_clickers_email_reaches_the_opener_and_the_idle_contact_but_not_the_clicker()
    {
        var clock = Clock();
        var (app, launchId, _, opener, clicker, idle) = await DayZeroAsync(clock, m => m.Replace("\"non-openers\"", "\"non-clickers\""));
        await using var _ = app;

        clock.Advance(Day5 - clock.GetUtcNow());
        await app.Services.GetRequiredService<WorkflowEngine>().SweepAsync();
        Assert.Equal(2, (await app.Inbox.WaitForAsync(idle, 2)).Count);
        Assert.Equal(2, (await app.Inbox.WaitForAsync(opener, 2)).Count);
        var summary = await EventuallyAsync(() => app.Services.GetRequiredService<CampaignSendLog>().SummariseAsync(Vendor, launchId),
            s => s.Count("2-case-study", CampaignSendState.Sent) == 2);
        Assert.Equal(2, summary.Count("2-case-study", CampaignSendState.Sent));
        Assert.Equal(1, summary.Count("2-case-study", CampaignSendState.SkippedAudience));
        Assert.Single(await app.Inbox.ToAsync(clicker));
    }

    /// <summary>
    /// A fan-out that crashed after queueing its chunk and before recording it runs again after the audience changed:
    /// by hand, with no trigger host, so every delivery happens exactly when the test says.
    /// </summary>
    [Fact]
    public async Task A_repeated_fan_out_after_the_audience_changed_sends_each_contact_once_or_skips_it_never_both()
    {
        var clock = Clock();
        await using var app = await TcmaAppFactory.StartAsync(clock, localTriggerHost: false);
        var (_, token, invitationId, _) = await InvitedPartnerAsync(app);
        var partner = Partner(app, token);
        var (ann, bea, cem) = (Unique("ann"), Unique("bea"), Unique("cem"));
        var contacts = await UploadContactsAsync(partner, $"Email,Consent\n{ann},yes\n{bea},yes\n{cem},yes\n");
        var launch = await (await partner.PostAsJsonAsync("/api/partner/launch", Confirm(invitationId, "2026-12-07", contacts))).Content.ReadFromJsonAsync<JsonElement>();
        var launchId = launch.GetProperty("launchId").GetString()!;
        var launches = app.Services.GetRequiredService<LaunchService>();
        var engine = app.Services.GetRequiredService<WorkflowEngine>();
        async Task<CampaignMailOutcome> MailAsync(CampaignEmail email)
        {
            using var scope = app.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<CampaignMailer>().SendAsync(email, default);
        }

        clock.Advance(Day0 - clock.GetUtcNow());
        await engine.SweepAsync();
        await launches.SendTouchAsync(new LaunchWork(LaunchWork.Send, Vendor, launchId, 0), default);
        var dayZero = (await QueuedAsync<CampaignEmail>(app, CampaignEmail.Queue)).Where(e => e.TouchId == "0-welcome").ToList();
        Assert.Equal(3, dayZero.Count);
        foreach (var email in dayZero) Assert.Equal(CampaignMailOutcome.Sent, await MailAsync(email));

        clock.Advance(Day5 - clock.GetUtcNow());
        await engine.SweepAsync();
        var caseStudy = (await launches.StateAsync(Vendor, launchId, default))!.AllTouches[2];
        Assert.Equal(TouchState.Sending, caseStudy.State);
        CampaignEmail RunOneQueued(string to) => dayZero.Single(e => e.RecipientEmail == to) with
        {
            TouchId = caseStudy.TouchId, SendId = LaunchWorkflow.SendId(launchId, caseStudy.TouchId, to),
        };
        var cemWelcome = Assert.Single(await app.Inbox.WaitForAsync(cem));
        // Run 1 queued the case study for everyone (nobody had opened yet) and died before recording its chunk; the
        // mailer got to Cem's copy at once.
        Assert.Equal(CampaignMailOutcome.Sent, await MailAsync(RunOneQueued(cem)));

        // Then Ann opens the welcome email and Cem clicks in it.
        await LoadPixelAsync(app, PathOf(PixelUrl().Match(Assert.Single(await app.Inbox.WaitForAsync(ann)).Html!).Value));
        Assert.Equal(HttpStatusCode.Redirect, (await app.Anonymous().GetAsync(PathOf(TrackedUrl().Match(cemWelcome.Html!).Value))).StatusCode);

        // Run 2, the redelivered fan-out: Ann is now left out (recorded), Cem too but his email already went (his record stays Sent), Bea is queued.
        var work = new LaunchWork(LaunchWork.Send, Vendor, launchId, caseStudy.Index);
        await launches.SendTouchAsync(work, default);
        var runTwo = (await QueuedAsync<CampaignEmail>(app, CampaignEmail.Queue)).Where(e => e.TouchId == caseStudy.TouchId).ToList();
        Assert.Equal([bea], runTwo.Select(e => e.RecipientEmail));
        Assert.Equal(CampaignMailOutcome.Sent, await MailAsync(runTwo[0]));
        // Run 1's copy for Ann, still on the queue, and every further redelivery: nothing sent.
        Assert.Equal(CampaignMailOutcome.Duplicate, await MailAsync(RunOneQueued(ann)));
        Assert.Equal(CampaignMailOutcome.Duplicate, await MailAsync(RunOneQueued(ann)));
        Assert.Equal(CampaignMailOutcome.Duplicate, await MailAsync(RunOneQueued(cem)));
        await launches.SendTouchAsync(work, default);
        Assert.Single(await QueuedAsync<CampaignEmail>(app, CampaignEmail.Queue), e => e.TouchId == caseStudy.TouchId);

        Assert.Single(await app.Inbox.ToAsync(ann));
        Assert.Equal(2, (await app.Inbox.ToAsync(bea)).Count);
        Assert.Equal(2, (await app.Inbox.ToAsync(cem)).Count);
        var summary = await app.Services.GetRequiredService<CampaignSendLog>().SummariseAsync(Vendor, launchId);
        Assert.Equal(2, summary.Count(caseStudy.TouchId, CampaignSendState.Sent));
        Assert.Equal(1, summary.Count(caseStudy.TouchId, CampaignSendState.SkippedAudience));
    }
}
