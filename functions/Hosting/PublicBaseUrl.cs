namespace Tcma.Functions.Hosting;

/// <summary>
/// One public address for every link the app emails or redirects to (launch and lead links, MDF buttons, unsubscribe
/// and tracked links, OAuth callbacks). Each capability reads its own <c>&lt;Section&gt;:PublicBaseUrl</c>, so one can
/// still point elsewhere; this fills the ones left unset from the single <c>PublicBaseUrl</c> setting, because behind
/// the Functions host the request's own host is not the address people click.
/// </summary>
public static class PublicBaseUrl
{
    public const string Setting = "PublicBaseUrl";

    private static readonly string[] Sections = ["Email", "Launches", "Leads", "Mdf", "Mdf:Expiry", "Syndication", "PartnerPortal"];

    public static WebApplicationBuilder AddPublicBaseUrl(this WebApplicationBuilder builder)
    {
        if (builder.Configuration[Setting] is not { Length: > 0 } url) return builder;
        var unset = Sections.Select(section => $"{section}:{Setting}")
            .Where(key => string.IsNullOrEmpty(builder.Configuration[key]))
            .Select(key => KeyValuePair.Create(key, (string?)url))
            .ToList();
        builder.Configuration.AddInMemoryCollection(unset);
        return builder;
    }
}
