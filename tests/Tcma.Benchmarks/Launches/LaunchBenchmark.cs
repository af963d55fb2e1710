using System.Diagnostics;
using System.IO.Compression;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Kits;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Functions.Launches;
using Tcma.Storage.Partners;
using Tcma.Storage.Rendering;

namespace Tcma.Benchmarks.Launches;

/// <summary>
/// A partner's confirm until every asset is rendered and the schedule stored (the workflow started, the render
/// done by the launch-work queue function), for the largest sample kit, each launch by another partner so nothing
/// comes from the render cache; and the launch page's first view with all its previews, cold and warm.
/// Options: --launches N (default 50), --views N (default 20), --kit folder (default webinar-invitation).
/// </summary>
public sealed class LaunchBenchmark : IBenchmark
{
    public string Name => "launches";
    public string Description => "confirm -> assets rendered + schedule stored (p50/p95); launch page first view cold vs warm";

    private const string Vendor = "bench";

    public async Task RunAsync(string[] args)
    {
        int Option(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).FirstOrDefault(fallback);
        var launchCount = Option("--launches", 50);
        var viewCount = Option("--views", 20);
        var kitFolder = args.SkipWhile(a => a != "--kit").Skip(1).FirstOrDefault() ?? "webinar-invitation";

        var azurite = await LocalServices.Azurite();
        var mail = await LocalServices.MailDev();
        await using var factory = BenchmarkHost.Start(azurite, mail);
        var services = factory.Services;
        var launches = services.GetRequiredService<LaunchService>();

        var uploads = services.GetRequiredService<KitUploads>();
        var outcome = await uploads.UploadAsync(Vendor, new MemoryStream(Zip(KitChecks.ReadFolder(Path.Combine(RepoPaths.Root, "campaign-templates", kitFolder)))), "kit.zip", "bench", default);
        var stored = outcome as KitUploadOutcome.Stored ?? throw new InvalidOperationException($"the kit did not upload: {outcome}");
        var (kitId, version) = (stored.Version.KitId, stored.Version.Version);
        await uploads.ChangeAsync(Vendor, kitId, version, KitAction.Publish, "bench", default);
        var kit = (await services.GetRequiredService<KitVersionFiles>().GetAsync(Vendor, kitId, version))!.Manifest;

        var total = launchCount + 2 * viewCount + 2;
        var tokens = await PartnersAsync(services, launches, kitId, version, total);
        var contacts = string.Join("\n", Enumerable.Range(0, 100).Select(i => $"contact{i}@example.com,Contact,{i},yes"));

        // Warm-up: JIT, connections, the kit's files in memory.
        await LaunchOnceAsync(launches, tokens[^1], contacts);
        await ViewAsync(factory, kit, tokens[^2]);

        var confirmToReady = new List<double>();
        for (var i = 0; i < launchCount; i++) confirmToReady.Add(await LaunchOnceAsync(launches, tokens[i], contacts));
        var cold = new List<double>();
        var warm = new List<double>();
        for (var i = 0; i < viewCount; i++)
        {
            cold.Add(await ViewAsync(factory, kit, tokens[launchCount + i]));
            warm.Add(await ViewAsync(factory, kit, tokens[launchCount + i]));
        }

        Console.WriteLine($"launches: kit {kitId} {version} ({kit.Content.Images.Count} images, {kit.Content.Emails.Count} emails, {kit.Schedule.Count} touches), 100 contacts each, {Environment.ProcessorCount} cores, Azurite");
        Console.WriteLine($"confirm -> assets rendered + schedule stored, {launchCount} launches by distinct partners: p50 {P(confirmToReady, 0.5):0} ms, p95 {P(confirmToReady, 0.95):0} ms, max {confirmToReady.Max():0} ms");
        Console.WriteLine($"launch page first view (HTML + every preview), {viewCount} partners: cold p50 {P(cold, 0.5):0} ms, p95 {P(cold, 0.95):0} ms | warm p50 {P(warm, 0.5):0} ms, p95 {P(warm, 0.95):0} ms");
    }

    private static double P(List<double> values, double q) => values.Order().ElementAt(Math.Min(values.Count - 1, (int)(values.Count * q)));

    private static async Task<List<string>> PartnersAsync(IServiceProvider services, LaunchService launches, string kitId, string version, int count)
    {
        var directory = services.GetRequiredService<PartnerDirectory>();
        var brands = services.GetRequiredService<BrandProfileStore>();
        var ids = Enumerable.Range(0, count).Select(i => $"partner-{i:D3}").ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            var (partner, _) = PartnerValidator.Validate(id, new PartnerInput
            {
                CompanyName = $"{id} IT", Tier = "Gold", Region = "EMEA", Specialisations = ["Backup"], Contacts = [new PartnerContactInput("Owner", $"{id}@example.com", "Owner", true)],
            });
            await directory.SaveAsync(Vendor, partner!, "bench", DateTimeOffset.UtcNow, ct: ct);
            // A distinct brand per partner: no render of one partner is a cache hit for another.
            await brands.SaveAsync(Vendor, id, SamplePartner.Profile with { CompanyName = $"{id} IT" }, ct);
        });
        var result = await launches.InviteAsync(Vendor, new InvitationRequest(kitId, version, null, null, null, ids), "bench", "http://localhost", default);
        var invited = ((Outcome<InvitationsResult>.Done)result).Value.Invited.ToDictionary(i => i.PartnerId);
        return ids.Select(id => Uri.UnescapeDataString(new Uri(invited[id].Link).Query.Split("t=")[1])).ToList();
    }

    private static async Task<double> LaunchOnceAsync(LaunchService launches, string token, string contacts)
    {
        var opened = (await launches.OpenAsync(token, default))!;
        var (_, uploadId, _) = await launches.ImportContactsAsync(opened.VendorId, opened.Invitation.PartnerId,
            new MemoryStream(System.Text.Encoding.UTF8.GetBytes("Email,First name,Last name,Consent\n" + contacts)), default);
        var request = new LaunchRequest(opened.Invitation.Id, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1).ToString("yyyy-MM-dd"), "Europe/Berlin",
            new Dictionary<string, string?>(), true, uploadId, []);
        var clock = Stopwatch.StartNew();
        var confirmed = await launches.ConfirmAsync(opened, request, "http://localhost", default);
        var launchId = ((Outcome<LaunchView>.Done)confirmed).Value.LaunchId;
        while ((await launches.StateAsync(opened.VendorId, launchId, default))?.AssetsRendered != true)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException($"launch {launchId} never rendered its assets");
            await Task.Delay(5);
        }
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>The page and every preview it loads, fetched in parallel as a browser would.</summary>
    private static async Task<double> ViewAsync(WebApplicationFactory<Tcma.Functions.Hosting.FunctionDefinition> factory, KitManifest kit, string token)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(Schemes.LinkHeader, token);
        var t = Uri.EscapeDataString(token);
        var clock = Stopwatch.StartNew();
        var page = await client.GetAsync($"/partner/launch?t={t}");
        if (!page.IsSuccessStatusCode) throw new InvalidOperationException($"launch page: {page.StatusCode}");
        var urls = kit.Content.Images.Select(i => $"/api/partner/launch/images/{i.Id}?t={t}")
            .Concat(kit.Content.Emails.Select(e => $"/api/partner/launch/emails/{e.Id}?t={t}"))
            .Append($"/api/partner/launch/landing?t={t}").Append($"/api/partner/launch/preview?t={t}")
            .Append($"/api/partner/launch/schedule?t={t}&start={DateTime.UtcNow.AddDays(1):yyyy-MM-dd}&zone=UTC");
        var responses = await Task.WhenAll(urls.Select(u => client.GetAsync(u)));
        foreach (var r in responses)
        {
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{r.RequestMessage!.RequestUri}: {r.StatusCode}");
            await r.Content.ReadAsByteArrayAsync();
        }
        return clock.Elapsed.TotalMilliseconds;
    }

    internal static byte[] Zip(KitFiles files)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (path, bytes) in files.Files)
            {
                using var entry = zip.CreateEntry(path, CompressionLevel.Optimal).Open();
                entry.Write(bytes);
            }
        return stream.ToArray();
    }
}
