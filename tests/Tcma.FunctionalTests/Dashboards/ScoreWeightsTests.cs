using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Dashboards;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Dashboards;
using static Tcma.FunctionalTests.Launches.LaunchSetup;

namespace Tcma.FunctionalTests.Dashboards;

/// <summary>
/// The engagement score's weights are the vendor's own setting: an admin changes them through the API or the console's
/// form and every score of that vendor, and only that vendor, is made with them from the next view.
/// </summary>
public sealed partial class ScoreWeightsTests
{
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);
    private static readonly string Api = $"/api/vendors/{Vendor}/dashboard/score-weights";

    [GeneratedRegex("""data-score="(\d+)""")]
    private static partial Regex ScoreRegex();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task<int> ScoreAsync(HttpClient console) =>
        int.Parse(ScoreRegex().Match(await console.GetStringAsync("/console/partners/harbour")).Groups[1].Value);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_admins_weights_make_every_score_of_its_vendor_and_bad_weights_change_nothing()
    {
        await using var app = await TcmaAppFactory.StartAsync(new FakeTimeProvider(Monday), localTriggerHost: false);
        var manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        await PartnerAsync(manager, "harbour", "Gold", Unique("h"));
        var at = Monday.AddDays(-2);
        await app.Services.GetRequiredService<DashboardService>().CountAsync(new Activity(Vendor, "l-1", ActivityKind.Launched, "harbour", "kit", "1.0.0", at), default);
        var counts = new Counts(new Dictionary<ActivityKind, long> { [ActivityKind.Launched] = 1 }, 0);
        int Expected(ScoreWeights w) => EngagementScore.For(counts, DateOnly.FromDateTime(at.UtcDateTime), new DateOnly(2026, 12, 7), 68, w).Value;

        var defaults = await manager.GetFromJsonAsync<JsonElement>(Api);
        Assert.False(defaults.GetProperty("own").GetBoolean());
        Assert.Equal(30, defaults.GetProperty("launching").GetInt32());
        Assert.Equal(Expected(new ScoreWeights()), await ScoreAsync(manager));

        // Only launching counts: one launch of the three that earn full marks.
        var launchingOnly = new ScoreWeights { Launching = 60, Reach = 0, Engagement = 0, Acceptance = 0, Wins = 0, Recency = 0 };
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PutAsJsonAsync(Api, launchingOnly)).StatusCode);
        var saved = await admin.PutAsJsonAsync(Api, launchingOnly);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var etag = saved.Headers.ETag!.ToString();
        Assert.Equal(33, Expected(launchingOnly));
        Assert.Equal(33, await ScoreAsync(manager));
        Assert.True((await manager.GetFromJsonAsync<JsonElement>(Api)).GetProperty("own").GetBoolean());

        // What is refused leaves the weights as they were.
        foreach (var (body, problem) in new[]
        {
            ("""{"launching": -1}""", "launching"),
            ("""{"recency": 101}""", "recency"),
            ("""{"launching": 0, "reach": 0, "engagement": 0, "acceptance": 0, "wins": 0, "recency": 0}""", "total"),
        })
        {
            var refused = await admin.PutAsync(Api, Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(problem, out _), body);
        }
        foreach (var body in new[] { """{"launching": 12.5}""", """{"lunching": 40}""", "not json", "[1,2]", $$"""{"launching": 1{{new string(' ', 5000)}}}""" })
            Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync(Api, Json(body))).StatusCode);
        Assert.Equal(33, await ScoreAsync(manager));

        // Saved over a version someone else replaced: refused.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(Api, launchingOnly with { Recency = 10 })).StatusCode);
        var stale = new HttpRequestMessage(HttpMethod.Put, Api) { Content = JsonContent.Create(new ScoreWeights()) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(stale)).StatusCode);

        // Another vendor neither reads nor changes these, and keeps its own defaults.
        var other = await app.SignedInAsync("fabrikam", VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(Api)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PutAsJsonAsync(Api, new ScoreWeights())).StatusCode);
        Assert.False((await other.GetFromJsonAsync<JsonElement>("/api/vendors/fabrikam/dashboard/score-weights")).GetProperty("own").GetBoolean());
    }

    [Fact]
    public async Task The_console_form_saves_the_weights_for_an_admin_and_shows_them_read_only_to_others()
    {
        await using var app = await TcmaAppFactory.StartAsync(new FakeTimeProvider(Monday), localTriggerHost: false);
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        var page = await admin.GetStringAsync("/console/dashboard/weights");
        Assert.Contains("uses the default weights", page);
        var token = WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);
        FormUrlEncodedContent Form(string launching) => new(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["launching"] = launching, ["reach"] = "10", ["engagement"] = "10",
            ["acceptance"] = "40", ["wins"] = "20", ["recency"] = "0",
        });

        var bad = await admin.PostAsync("/console/dashboard/score-weights", Form("lots"));
        Assert.Equal(HttpStatusCode.Redirect, bad.StatusCode);
        Assert.Contains("Nothing was changed", await admin.GetStringAsync(bad.Headers.Location!.ToString()));
        var ok = await admin.PostAsync("/console/dashboard/score-weights", Form("20"));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        page = await admin.GetStringAsync(ok.Headers.Location!.ToString());
        Assert.Contains("Your program's own weights", WebUtility.HtmlDecode(page));
        Assert.Contains("data-figure=\"weights-total\">100<", page);
        Assert.Contains("id=\"acceptance\" name=\"acceptance\" type=\"number\" inputmode=\"numeric\" min=\"0\" max=\"100\" step=\"1\" value=\"40\"", page);

        // Without the page's token nothing is saved.
        var forged = await admin.PostAsync("/console/dashboard/score-weights", new FormUrlEncodedContent(new Dictionary<string, string> { ["launching"] = "1" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var readOnly = await manager.GetStringAsync("/console/dashboard/weights");
        Assert.DoesNotContain("<form method=\"post\" action=\"/console/dashboard/score-weights\"", readOnly);
        Assert.Contains("<th scope=\"row\">Acceptance</th><td>40</td>", readOnly);
        var refused = await manager.PostAsync("/console/dashboard/score-weights", Form("90"));
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/forbidden", refused.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<th scope=\"row\">Launching</th><td>20</td>", await manager.GetStringAsync("/console/dashboard/weights"));
    }
}
