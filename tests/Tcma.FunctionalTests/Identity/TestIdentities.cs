using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Identity;

namespace Tcma.FunctionalTests.Identity;

/// <summary>
/// Ways for a test to act as someone, each through the app's real front door: the Development sign-in form
/// (antiforgery included), a real API key made through the API, a link signed by the app's own token service.
/// </summary>
public static partial class TestIdentities
{
    public static HttpClient Anonymous(this TcmaAppFactory app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>A client signed in through the Development sign-in page as a demo user of <paramref name="vendor"/> with one role.</summary>
    public static async Task<HttpClient> SignedInAsync(this TcmaAppFactory app, string vendor, VendorRole role, string? email = null)
    {
        var client = app.Anonymous();
        var response = await client.PostAsync("/signin/dev", await SignInFormAsync(client, new()
        {
            ["Vendor"] = vendor,
            ["Email"] = email ?? $"{role.ToString().ToLowerInvariant()}@{vendor}.example",
            ["Role"] = role.ToString(),
            ["ReturnUrl"] = "/console",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>The sign-in form's fields plus the antiforgery token the page rendered (its cookie stays in the client).</summary>
    public static async Task<FormUrlEncodedContent> SignInFormAsync(HttpClient client, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync("/signin");
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "the sign-in page renders an antiforgery token");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        return new FormUrlEncodedContent(fields);
    }

    /// <summary>A fresh API key of <paramref name="vendor"/>, created by its admin through the API.</summary>
    public static async Task<CreatedApiKey> CreateApiKeyAsync(this TcmaAppFactory app, string vendor, params VendorRole[] roles)
    {
        var admin = await app.SignedInAsync(vendor, VendorRole.VendorAdmin);
        var response = await admin.PostAsJsonAsync($"/api/vendors/{vendor}/api-keys",
            new { name = "test automation", roles = roles.Select(r => r.ToString()).ToArray() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedApiKey>())!;
    }

    public static HttpClient WithApiKey(this TcmaAppFactory app, string key)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    /// <summary>A link token signed by the running app's own key, as an emailed link would carry it.</summary>
    public static string PartnerLink(this TcmaAppFactory app, string vendor, string partner, string purpose = TokenPurposes.Launch, TimeSpan? lifetime = null) =>
        app.Services.GetRequiredService<LinkTokens>().Create(purpose, partner, vendor, lifetime ?? TimeSpan.FromDays(7));

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
