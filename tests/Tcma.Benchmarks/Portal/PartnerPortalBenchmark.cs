using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Kits;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Kits;
using Tcma.Functions.Portal;
using Tcma.Storage.Partners;
using Tcma.Storage.Rendering;

namespace Tcma.Benchmarks.Portal;

/// <summary>
/// A partner of a vendor with many published kit versions: the emailed sign-in link until the signed-in home page is
/// read (GET of the link, Continue, home), and the library's first view with every co-branded thumbnail of its first
/// page, cold (each partner's own brand, so nothing is in the render cache, and the catalogue read again) and warm.
/// Options: --kits N published versions (default 500), --partners N sign-ins and cold views (default 20).
/// </summary>
public sealed partial class PartnerPortalBenchmark : IBenchmark
{
    public string Name => "partner-portal";
    public string Description => "sign-in link -> signed-in home; library first view with thumbnails, cold vs warm (p50/p95)";

    private const string Vendor = "bench";

    public async Task RunAsync(string[] args)
    {
        int Option(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).FirstOrDefault(fallback);
        var kitCount = Option("--kits", 500);
        var partnerCount = Option("--partners", 20);

        var azurite = await LocalServices.Azurite();
        var mail = await LocalServices.MailDev();
        // One client asks for every partner's link here: the per-network limit would stop it, as it should stop a stranger.
        await using var factory = BenchmarkHost.Start(azurite, mail, settings: new Dictionary<string, string> { ["PartnerPortal:SignInsPerIpPerHour"] = "100000" });
        var services = factory.Services;

        var publish = Stopwatch.StartNew();
        var uploads = services.GetRequiredService<KitUploads>();
        var kit = KitChecks.ReadFolder(Path.Combine(RepoPaths.Root, "campaign-templates", "cloud-backup-nurture"));
        var manifest = Encoding.UTF8.GetString(kit.Files["kit.json"]);
        for (var i = 0; i < kitCount; i++)
        {
            var version = $"1.0.{i}";
            var files = new Dictionary<string, byte[]>(kit.Files) { ["kit.json"] = Encoding.UTF8.GetBytes(manifest.Replace("\"version\": \"1.0.0\"", $"\"version\": \"{version}\"")) };
            var outcome = await uploads.UploadAsync(Vendor, new MemoryStream(Launches.LaunchBenchmark.Zip(new KitFiles(files))), "kit.zip", "bench", default);
            if (outcome is not KitUploadOutcome.Stored stored) throw new InvalidOperationException($"kit {version} did not upload: {outcome}");
            await uploads.ChangeAsync(Vendor, stored.Version.KitId, version, KitAction.Publish, "bench", default);
        }
        Console.WriteLine($"partner-portal: {kitCount} published versions of {kit.Files.Count}-file kits uploaded and published in {publish.Elapsed.TotalSeconds:0} s, {Environment.ProcessorCount} cores, Azurite");

        var directory = services.GetRequiredService<PartnerDirectory>();
        var brands = services.GetRequiredService<BrandProfileStore>();
        var emails = new List<string>();
        for (var i = 0; i <= partnerCount; i++)
        {
            var id = $"partner-{i:D3}";
            var email = $"owner-{i}-{Guid.NewGuid():N}@partner.example";
            var (partner, _) = PartnerValidator.Validate(id, new PartnerInput
            {
                CompanyName = $"{id} IT", Tier = "Gold", Region = "EMEA", Specialisations = ["Backup"], Contacts = [new PartnerContactInput("Owner", email, "Owner", true)],
            });
            await directory.SaveAsync(Vendor, partner!, "bench", DateTimeOffset.UtcNow);
            // A distinct brand per partner: no thumbnail of one partner is a cache hit for another.
            await brands.SaveAsync(Vendor, id, SamplePartner.Profile with { CompanyName = $"{id} IT" });
            emails.Add(email);
        }

        HttpClient Client() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var catalog = services.GetRequiredService<PortalCatalog>();
        // Warm-up (JIT, connections), with the last partner.
        await LibraryAsync(await SignedInAsync(Client(), mail.Inbox, emails[^1], []), []);

        var signIn = new List<double>();
        var cold = new List<double>();
        var warm = new List<double>();
        for (var i = 0; i < partnerCount; i++)
        {
            var client = await SignedInAsync(Client(), mail.Inbox, emails[i], signIn);
            catalog.Forget(Vendor);
            await LibraryAsync(client, cold);
            await LibraryAsync(client, warm);
        }
        Console.WriteLine($"sign-in link -> signed-in home, {partnerCount} partners: p50 {P(signIn, 0.5):0} ms, p95 {P(signIn, 0.95):0} ms, max {signIn.Max():0} ms");
        Console.WriteLine($"library first view (up to {Domain.Portal.LibraryQuery.PageSize} cards + thumbnails) of {kitCount} versions: cold p50 {P(cold, 0.5):0} ms, p95 {P(cold, 0.95):0} ms | warm p50 {P(warm, 0.5):0} ms, p95 {P(warm, 0.95):0} ms");
    }

    private static double P(List<double> values, double q) => values.Order().ElementAt(Math.Min(values.Count - 1, (int)(values.Count * q)));

    /// <summary>Asks for a link on the sign-in page (untimed: it goes through the queue and the outbox), then times using it.</summary>
    private static async Task<HttpClient> SignedInAsync(HttpClient client, MailDevInbox inbox, string email, List<double> times)
    {
        var form = await client.GetStringAsync("/partner/signin");
        var asked = await client.PostAsync("/partner/signin", Form(form, "signin", new() { ["email"] = email, ["returnUrl"] = "" }));
        if (asked.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"asking for a link: {asked.StatusCode}");
        var message = (await inbox.WaitForAsync(email, 1, TimeSpan.FromSeconds(30))).Single();
        var link = new Uri(SignInLink().Match(message.Text!).Value).PathAndQuery;

        var clock = Stopwatch.StartNew();
        var page = await client.GetStringAsync(link);
        var signedIn = await client.PostAsync(link, Form(page, "continue", []));
        if (signedIn.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"continue: {signedIn.StatusCode}");
        var home = await client.GetAsync(signedIn.Headers.Location!);
        if (home.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"home: {home.StatusCode}");
        await home.Content.ReadAsStringAsync();
        times.Add(clock.Elapsed.TotalMilliseconds);
        return client;
    }

    /// <summary>The library page, then every thumbnail on it in parallel, as a browser loads them.</summary>
    private static async Task LibraryAsync(HttpClient client, List<double> times)
    {
        var clock = Stopwatch.StartNew();
        var page = await client.GetStringAsync("/partner/library");
        var thumbnails = Thumbnail().Matches(page).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        if (thumbnails.Count == 0) throw new InvalidOperationException("the library shows no thumbnail");
        var responses = await Task.WhenAll(thumbnails.Select(t => client.GetAsync(t)));
        foreach (var r in responses)
        {
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{r.RequestMessage!.RequestUri}: {r.StatusCode}");
            await r.Content.ReadAsByteArrayAsync();
        }
        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    private static FormUrlEncodedContent Form(string page, string formName, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(Antiforgery().Match(page).Groups[1].Value);
        fields["_handler"] = formName;
        return new FormUrlEncodedContent(fields);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();

    [GeneratedRegex(@"https?://\S+/partner/signin/continue\?t=\S+")]
    private static partial Regex SignInLink();

    [GeneratedRegex("<img src=\"(/partner/library/[^\"]+)\"")]
    private static partial Regex Thumbnail();
}
