namespace Tcma.Functions.Kits;

/// <summary>
/// What every response carrying a kit's content gets. Kit files themselves are never served: only what the platform
/// rendered from checked files, under the content type of the format it rendered. Browsers are told not to guess
/// another type, and anything that opens one as a document gets a sandbox with no script and no access to our origin.
/// </summary>
public static class KitAssetHeaders
{
    public const string PictureSecurityPolicy = "sandbox; default-src 'none'";
    public const string EmailSecurityPolicy = "sandbox; default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'";

    public static void Apply(HttpResponse response, string securityPolicy = PictureSecurityPolicy)
    {
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = securityPolicy;
    }
}
