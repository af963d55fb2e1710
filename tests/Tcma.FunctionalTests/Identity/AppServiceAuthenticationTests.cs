using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Identity;
using Tcma.Storage.Identity;

namespace Tcma.FunctionalTests.Identity;

public sealed class AppServiceAuthenticationTests
{
    private static readonly Dictionary<string, string?> UnderAzureFunctionsWithEasyAuth = new()
    {
        ["WEBSITE_AUTH_ENABLED"] = "True",
        ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071",
    };

    private static string Header(string objectId, string email) => AppServicePrincipal.Encode("aad",
        [(AppServicePrincipal.ObjectIdClaim, objectId), ("preferred_username", email), ("name", "Ana Lopez")]);

    private static async Task<HttpResponseMessage> MeAsync(TcmaAppFactory app, string header)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Add(AppServicePrincipal.HeaderName, header);
        return await client.GetAsync("/api/me");
    }

    [Fact]
    public async Task Under_Easy_Auth_the_header_signs_in_a_member_with_the_roles_of_their_vendor()
    {
        await using var app = await TcmaAppFactory.StartAsync(overrides: UnderAzureFunctionsWithEasyAuth);
        var oid = Guid.NewGuid().ToString();
        await app.Services.GetRequiredService<VendorUserStore>().UpsertAsync(
            new VendorUserRecord(oid, "acme", "ana@acme.example", [VendorRole.MdfApprover, VendorRole.Finance]));

        var response = await MeAsync(app, Header(oid, "ana@acme.example"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await response.Content.ReadFromJsonAsync<WhoAmI>();
        Assert.Equal(("acme", "Ana Lopez", ActorKinds.VendorUser), (me!.VendorId, me.Name, me.Kind));
        Assert.Equal(new[] { "Finance", "MdfApprover" }, me.Roles.Order());
    }

    [Fact]
    public async Task Under_Easy_Auth_a_signed_in_stranger_or_an_unreadable_header_gets_401()
    {
        await using var app = await TcmaAppFactory.StartAsync(overrides: UnderAzureFunctionsWithEasyAuth);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(app, Header(Guid.NewGuid().ToString(), "who@else.example"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(app, "%%% not base64")).StatusCode);
    }

    [Fact]
    public async Task Outside_Azure_a_forged_client_principal_header_is_ignored()
    {
        // Even Easy Auth's flag alone is not enough: only the Functions host in Azure strips and sets the header.
        foreach (var overrides in new[] { new Dictionary<string, string?>(), new() { ["WEBSITE_AUTH_ENABLED"] = "True" } })
        {
            await using var app = await TcmaAppFactory.StartAsync(overrides: overrides);
            var oid = Guid.NewGuid().ToString();
            await app.Services.GetRequiredService<VendorUserStore>().UpsertAsync(
                new VendorUserRecord(oid, "acme", "ana@acme.example", [VendorRole.VendorAdmin]));

            Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(app, Header(oid, "ana@acme.example"))).StatusCode);
            var client = app.Anonymous();
            client.DefaultRequestHeaders.Add(AppServicePrincipal.HeaderName, Header(oid, "ana@acme.example"));
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/vendors/acme/api-keys")).StatusCode);
        }
    }

    [Fact]
    public async Task When_the_membership_lookup_fails_people_get_the_error_page_and_programs_a_bare_500()
    {
        var overrides = new Dictionary<string, string?>(UnderAzureFunctionsWithEasyAuth)
        {
            ["environment"] = "Production",
            ["Tokens:Keys:k1"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Tokens:ActiveKey"] = "k1",
            // Nothing listens on port 1: every table call fails after the SDK's retries.
            ["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;",
            ["LocalTriggerHost:Enabled"] = "false",
        };
        await using var app = await TcmaAppFactory.StartAsync(overrides: overrides, localTriggerHost: false);
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Add(AppServicePrincipal.HeaderName, Header(Guid.NewGuid().ToString(), "ana@acme.example"));

        var page = await client.GetAsync("/console");
        Assert.Equal(HttpStatusCode.InternalServerError, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Something went wrong", html);
        Assert.DoesNotContain("127.0.0.1", html);

        var api = await client.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("127.0.0.1", await api.Content.ReadAsStringAsync());
    }
}
