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
}

public sealed class SampleData(KitVersionFiles kits, BrandProfileStore brands, ILogger<SampleData> logger)
{
    public const string DemoPartnerFolder = "demo-partner";

    /// <summary>Stores every kit folder that passes <see cref="KitChecks"/> and the demo partner's brand profile; what fails is logged, not stored.</summary>
    public async Task<IReadOnlyList<string>> LoadAsync(string folder, string vendorId, CancellationToken cancellationToken = default)
    {
        var loaded = new List<string>();
        foreach (var kitFolder in Directory.EnumerateDirectories(folder).Where(d => File.Exists(Path.Combine(d, "kit.json"))).Order())
        {
            var files = KitChecks.ReadFolder(kitFolder);
            var (manifest, problems) = KitChecks.Check(files);
            if (manifest is null)
            {
                logger.LogWarning("Sample kit {Folder} was not loaded: {Problems}", kitFolder, string.Join("; ", problems));
                continue;
            }
            await kits.PutAsync(vendorId, manifest.Id, manifest.Version, files, cancellationToken);
            loaded.Add($"{manifest.Id} {manifest.Version}");
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
}

/// <summary>Loads the samples once storage answers, without holding up start-up.</summary>
internal sealed class SampleDataLoader(SampleData samples, Microsoft.Extensions.Options.IOptions<SampleDataOptions> options, ILogger<SampleDataLoader> logger) : BackgroundService
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
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 10)
            {
                logger.LogWarning("Loading sample data failed ({Reason}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2 * attempt), stoppingToken);
            }
        }
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
