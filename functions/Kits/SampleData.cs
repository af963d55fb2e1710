using System.Text.Json;
using Tcma.Domain.Rendering;
using Tcma.Storage.Rendering;

namespace Tcma.Functions.Kits;

/// <summary>Loading the sample kits and a demo partner, so a newcomer's console is not empty. Development only.</summary>
public sealed class SampleDataOptions
{
    public const string Section = "Samples";
    public bool Load { get; set; }
    /// <summary>The folder holding the sample kits (campaign-templates/) and the demo partner.</summary>
    public string? Folder { get; set; }
    public string VendorId { get; set; } = "demo";
    /// <summary>Where to write the demo partner's launch link, so <c>./tcma run</c> can print it.</summary>
    public string? LaunchLinkFile { get; set; }
}

public sealed class SampleData(KitUploads uploads, BrandProfileStore brands, Tcma.Storage.Partners.PartnerDirectory partners, TimeProvider clock, ILogger<SampleData> logger)
{
    public const string DemoPartnerFolder = "demo-partner";

    public const string LoadedBy = "sample data";

    /// <summary>
    /// Uploads every kit folder through the same path as a vendor's upload (so it is checked, previewed, indexed) and
    /// publishes it, and stores the demo partner's brand profile; what fails is logged, not stored. Loading again is
    /// harmless: an existing version counts as loaded.
    /// </summary>
    public async Task<IReadOnlyList<string>> LoadAsync(string folder, string vendorId, CancellationToken cancellationToken = default)
    {
        var loaded = new List<string>();
        foreach (var kitFolder in Directory.EnumerateDirectories(folder).Where(d => File.Exists(Path.Combine(d, "kit.json"))).Order())
        {
            using var zip = Zip(KitChecks.ReadFolder(kitFolder));
            var outcome = await uploads.UploadAsync(vendorId, zip, Path.GetFileName(kitFolder) + ".zip", LoadedBy, cancellationToken);
            var (kitId, version) = outcome switch
            {
                KitUploadOutcome.Stored s => (s.Version.KitId, s.Version.Version),
                KitUploadOutcome.AlreadyExists e => (e.KitId, e.Version),
                _ => (null, null),
            };
            if (kitId is null || version is null)
            {
                var problems = outcome is KitUploadOutcome.Rejected r ? string.Join("; ", r.Problems) : outcome.ToString();
                logger.LogWarning("Sample kit {Folder} was not loaded: {Problems}", kitFolder, problems);
                continue;
            }
            // A sample recalled by hand stays recalled; that refusal is fine here.
            await uploads.ChangeAsync(vendorId, kitId, version, Tcma.Domain.Kits.KitAction.Publish, LoadedBy, cancellationToken);
            loaded.Add($"{kitId} {version}");
        }

        // The demo vendor's partner directory, imported the way a vendor would: a CSV through the import.
        var directory = Path.Combine(folder, "demo-partners.csv");
        if (File.Exists(directory))
        {
            await using var csv = File.OpenRead(directory);
            await Tcma.Functions.Partners.PartnerEndpoints.ImportAsync(partners, vendorId, csv, LoadedBy, clock.GetUtcNow(), cancellationToken);
        }

        var partner = Path.Combine(folder, DemoPartnerFolder);
        if (File.Exists(Path.Combine(partner, "brand.json")))
        {
            var input = JsonSerializer.Deserialize<BrandProfileInput>(await File.ReadAllBytesAsync(Path.Combine(partner, "brand.json"), cancellationToken), JsonSerializerOptions.Web)!
                with { Logo = await File.ReadAllBytesAsync(Path.Combine(partner, "logo.png"), cancellationToken), LogoFileName = "logo.png" };
            var (profile, problems) = BrandProfileValidator.Validate(input);
            if (profile is null)
                logger.LogWarning("The demo partner was not loaded: {Problems}", string.Join("; ", problems));
            else
                await brands.SaveAsync(vendorId, DemoPartnerFolder, profile, cancellationToken);
        }
        return loaded;
    }

    private static MemoryStream Zip(Tcma.Domain.Kits.KitFiles files)
    {
        var stream = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (path, bytes) in files.Files)
            {
                using var entry = zip.CreateEntry(path, System.IO.Compression.CompressionLevel.Fastest).Open();
                entry.Write(bytes);
            }
        stream.Position = 0;
        return stream;
    }
}

/// <summary>Loads the samples once storage answers, without holding up start-up.</summary>
internal sealed class SampleDataLoader(
    SampleData samples, IServiceProvider services, Microsoft.Extensions.Options.IOptions<SampleDataOptions> options,
    Microsoft.Extensions.Options.IOptions<Tcma.Functions.Launches.LaunchOptions> launchOptions, ILogger<SampleDataLoader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Load || o.Folder is null) return;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var loaded = await samples.LoadAsync(o.Folder, o.VendorId, stoppingToken);
                logger.LogInformation("Sample data for vendor '{Vendor}': kits {Kits} and partner '{Partner}'", o.VendorId, string.Join(", ", loaded), SampleData.DemoPartnerFolder);
                await InviteDemoPartnerAsync(o, loaded, stoppingToken);
                await services.GetRequiredService<Tcma.Functions.Dashboards.DashboardDemo>().SeedAsync(o.VendorId,
                    loaded.Select(l => l.Split(' ')).Where(p => p.Length == 2).Select(p => (p[0], p[1])).ToList(), stoppingToken);
                await services.GetRequiredService<Tcma.Functions.Dashboards.MdfDemo>().SeedAsync(o.VendorId, stoppingToken);
                await services.GetRequiredService<Tcma.Functions.Leads.LeadDemo>().SeedAsync(o.VendorId, stoppingToken);
                await services.GetRequiredService<Tcma.Functions.Deals.DealDemo>().SeedAsync(o.VendorId, stoppingToken);
                await services.GetRequiredService<Tcma.Functions.Launches.LaunchDemo>().SeedAsync(o.VendorId, SampleData.DemoPartnerFolder,
                    loaded.Select(l => l.Split(' ')).Where(p => p.Length == 2).Select(p => (p[0], p[1])).ToList(), stoppingToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 10)
            {
                logger.LogWarning("Loading sample data failed ({Reason}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2 * attempt), stoppingToken);
            }
        }
    }

    /// <summary>
    /// A newcomer's way in as a partner: the demo partner is invited to the first sample kit (its contact gets the
    /// email in maildev) and the link is written where <c>./tcma run</c> prints it. Inviting again returns the open link.
    /// </summary>
    private async Task InviteDemoPartnerAsync(SampleDataOptions o, IReadOnlyList<string> loaded, CancellationToken ct)
    {
        if (loaded.Count == 0 || loaded[0].Split(' ') is not [var kitId, var version]) return;
        var launches = services.GetRequiredService<Tcma.Functions.Launches.LaunchService>();
        var baseUrl = (launchOptions.Value.PublicBaseUrl ?? "http://127.0.0.1:7071").TrimEnd('/');
        var outcome = await launches.InviteAsync(o.VendorId,
            new Tcma.Functions.Launches.InvitationRequest(kitId, version, null, null, null, [SampleData.DemoPartnerFolder]), SampleData.LoadedBy, baseUrl, ct);
        if (outcome is not Tcma.Functions.Launches.Outcome<Tcma.Functions.Launches.InvitationsResult>.Done { Value: var result }
            || result.Invited.Concat(result.AlreadyInvited).FirstOrDefault() is not { } invitation)
        {
            logger.LogWarning("The demo partner was not invited to {Kit} {Version}: {Outcome}", kitId, version, outcome);
            return;
        }
        logger.LogInformation("Demo partner launch link: {Link}", invitation.Link);
        if (o.LaunchLinkFile is { Length: > 0 } file) await File.WriteAllTextAsync(file, invitation.Link + "\n", ct);
    }
}

public static class SampleDataExtensions
{
    public static WebApplicationBuilder AddSampleData(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SampleData>();
        if (!builder.Environment.IsDevelopment()) return builder;
        builder.Services.AddOptions<SampleDataOptions>().BindConfiguration(SampleDataOptions.Section);
        builder.Services.AddHostedService<SampleDataLoader>();
        return builder;
    }
}
