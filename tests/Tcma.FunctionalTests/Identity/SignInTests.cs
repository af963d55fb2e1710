using System.Net;
using System.Security.Cryptography;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Identity;

public sealed class SignInTests
{
    [Fact]
    public async Task Outside_Development_there_is_no_dev_sign_in()
    {
        await using var app = await TcmaAppFactory.StartAsync(overrides: new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            ["Tokens:Keys:k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Tokens:ActiveKey"] = "k1",
        });
        var client = app.Anonymous();
        var page = await client.GetStringAsync("/signin");
        Assert.Contains("Sign in with Microsoft", page);
        Assert.DoesNotContain("/signin/dev", page);

        var post = await client.PostAsync("/signin/dev", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Vendor"] = "acme", ["Email"] = "a@acme.example", ["Role"] = "VendorAdmin",
        }));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task In_Development_the_console_sends_strangers_to_sign_in_and_back()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = app.Anonymous();
        var response = await client.GetAsync("/console/kits");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin?returnUrl=%2Fconsole%2Fkits", response.Headers.Location?.OriginalString);

        var signIn = await client.PostAsync("/signin/dev", await TestIdentities.SignInFormAsync(client, new()
        {
            ["Vendor"] = "acme", ["Email"] = "cm@acme.example", ["Role"] = "ChannelManager", ["ReturnUrl"] = "/console/kits",
        }));
        Assert.Equal("/console/kits", signIn.Headers.Location?.OriginalString);
        var page = await client.GetStringAsync("/console/kits");
        Assert.Contains("cm@acme.example", page);
        Assert.Contains("Channel manager", page);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("https://evil.example/")]
    public async Task Sign_in_never_redirects_off_site(string returnUrl)
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = app.Anonymous();
        var response = await client.PostAsync("/signin/dev", await TestIdentities.SignInFormAsync(client, new()
        {
            ["Vendor"] = "acme", ["Email"] = "cm@acme.example", ["Role"] = "ChannelManager", ["ReturnUrl"] = returnUrl,
        }));
        Assert.Equal("/console", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Sign_in_without_the_antiforgery_token_or_with_bad_fields_is_refused()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = app.Anonymous();
        var forged = await client.PostAsync("/signin/dev", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Vendor"] = "acme", ["Email"] = "a@acme.example", ["Role"] = "VendorAdmin",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        foreach (var (vendor, role, email) in new[] { ("ACME", "VendorAdmin", "a@x.example"), ("acme", "Owner", "a@x.example"), ("acme", "VendorAdmin", "nobody") })
        {
            var response = await client.PostAsync("/signin/dev", await TestIdentities.SignInFormAsync(client, new()
            {
                ["Vendor"] = vendor, ["Email"] = email, ["Role"] = role,
            }));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_role_that_a_page_does_not_need_cannot_reach_an_admin_api_and_sign_out_ends_the_session()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync("acme", VendorRole.Finance);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/console")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/vendors/acme/api-keys")).StatusCode);

        // Another site cannot sign the user out: no antiforgery token, no sign-out.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/signout", new FormUrlEncodedContent([]))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/console")).StatusCode);

        var page = await client.GetStringAsync("/console");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        var signOut = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token) }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/console")).StatusCode);
    }
}
