using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Tcma.Domain.Rendering;

namespace Tcma.Storage.Rendering;

/// <summary>
/// Each partner's brand profile per vendor: one row in <c>BrandProfiles</c> (partition = vendor, row = partner)
/// and the logo in <c>brand-logos</c> under its SHA-256, so a logo used by many versions of a profile is stored once.
/// </summary>
public sealed class BrandProfileStore(StorageAccount storage)
{
    public const string TableName = "BrandProfiles";
    public const string LogoContainer = "brand-logos";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<BrandProfile?> GetAsync(string vendorId, string partnerId, CancellationToken cancellationToken = default) =>
        (await GetVersionedAsync(vendorId, partnerId, cancellationToken)).Profile;

    /// <summary>The profile with the version it was read at: an editor sends the version back to <see cref="SaveIfUnchangedAsync"/>.</summary>
    public async Task<(BrandProfile? Profile, string? Version)> GetVersionedAsync(string vendorId, string partnerId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), TableKeys.Check(partnerId, "partner id"), cancellationToken: cancellationToken);
        if (!row.HasValue) return (null, null);
        var stored = JsonSerializer.Deserialize<StoredProfile>(row.Value!.GetString("Profile"), Json)!;
        var container = await storage.ContainerAsync(LogoContainer, cancellationToken);
        var logo = await container.GetBlobClient(LogoBlobName(vendorId, stored.LogoSha256)).DownloadContentAsync(cancellationToken);
        return (stored.ToProfile(logo.Value.Content.ToArray()), row.Value.ETag.ToString());
    }

    /// <summary>
    /// Saves the profile only if it is still the version the editor read (null: there was none yet). False when someone
    /// (the vendor, another tab) saved in between: nothing is written and the editor reads again.
    /// </summary>
    public async Task<bool> SaveIfUnchangedAsync(string vendorId, string partnerId, BrandProfile profile, string? version, CancellationToken cancellationToken = default)
    {
        await PutLogoAsync(vendorId, profile, cancellationToken);
        var table = await storage.TableAsync(TableName, cancellationToken);
        var entity = new TableEntity(TableKeys.Check(vendorId, "vendor id"), TableKeys.Check(partnerId, "partner id"))
        {
            ["Profile"] = JsonSerializer.Serialize(StoredProfile.From(profile), Json),
        };
        return await table.TryWriteAsync(entity, version is null ? default : new ETag(version), cancellationToken) is not null;
    }

    private async Task PutLogoAsync(string vendorId, BrandProfile profile, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(LogoContainer, cancellationToken);
        try
        {
            await container.GetBlobClient(LogoBlobName(vendorId, profile.Logo.Sha256)).UploadAsync(BinaryData.FromBytes(profile.Logo.Bytes), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = profile.Logo.Format == LogoFormat.Png ? "image/png" : "image/jpeg" },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Same name, same bytes: the logo is already there.
        }
    }

    /// <summary>Replaces the partner's profile; the row changes under its ETag so two editors never silently overwrite each other's read.</summary>
    public async Task SaveAsync(string vendorId, string partnerId, BrandProfile profile, CancellationToken cancellationToken = default)
    {
        await PutLogoAsync(vendorId, profile, cancellationToken);
        var json = JsonSerializer.Serialize(StoredProfile.From(profile), Json);
        var table = await storage.TableAsync(TableName, cancellationToken);
        await table.UpdateAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), TableKeys.Check(partnerId, "partner id"),
            _ => new TableEntity { ["Profile"] = json }, cancellationToken: cancellationToken);
    }

    private static string LogoBlobName(string vendorId, string sha256) => $"{TableKeys.Check(vendorId, "vendor id")}/{sha256}";

    private sealed record StoredProfile(
        string CompanyName, string LogoSha256, LogoFormat LogoFormat, int LogoWidth, int LogoHeight,
        string PrimaryColour, string SecondaryColour, ContactBlock Contact, Dictionary<string, string> SocialHandles,
        string? Tagline, string? Disclaimer, string TimeZone, string Language)
    {
        public static StoredProfile From(BrandProfile p) => new(
            p.CompanyName, p.Logo.Sha256, p.Logo.Format, p.Logo.Width, p.Logo.Height, p.PrimaryColour.ToString(), p.SecondaryColour.ToString(),
            p.Contact, p.SocialHandles.ToDictionary(), p.Tagline, p.Disclaimer, p.TimeZone, p.Language);

        public BrandProfile ToProfile(byte[] logo) => new(
            CompanyName, new BrandLogo(logo, LogoFormat, LogoWidth, LogoHeight, LogoSha256), Colour.Parse(PrimaryColour), Colour.Parse(SecondaryColour),
            Contact, SocialHandles, Tagline, Disclaimer, TimeZone, Language);
    }
}

/// <summary>Rendered assets under their render key: the same inputs give the same bytes, so a key that exists is never rendered again.</summary>
public sealed class RenderStore(StorageAccount storage)
{
    public const string Container = "renders";

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var container = await storage.ContainerAsync(Container, cancellationToken);
        try
        {
            return (await container.GetBlobClient(key).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Only complete, successful renders are stored; a concurrent render of the same key wrote the same bytes.</summary>
    public async Task PutAsync(string key, byte[] bytes, string contentType, CancellationToken cancellationToken = default)
    {
        var container = await storage.ContainerAsync(Container, cancellationToken);
        try
        {
            await container.GetBlobClient(key).UploadAsync(BinaryData.FromBytes(bytes), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
        }
    }
}
