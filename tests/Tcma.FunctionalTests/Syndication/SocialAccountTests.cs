using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain;
using Tcma.Storage.Syndication;
using Tcma.Syndication;

namespace Tcma.FunctionalTests.Syndication;

/// <summary>
/// A partner connects LinkedIn, X and Facebook through each network's OAuth authorization-code flow, played against
/// loopback fakes that check client credentials, redirect_uri, single-use codes and (X) PKCE the way the networks do.
/// </summary>
public sealed class SocialAccountTests : IAsyncLifetime
{
    private SocialApp app = null!;

    public async Task InitializeAsync() => app = await SocialApp.StartAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData(SocialNetwork.LinkedIn, "urn:li:person:782bbtaQ", "Partner Admin")]
    [InlineData(SocialNetwork.X, "2244994945", "@partner")]
    [InlineData(SocialNetwork.Facebook, "104567890123456", "Northwind Partner Page")]
    public async Task Connecting_stores_the_account_with_its_token_only_encrypted_and_the_page_lists_it(SocialNetwork network, string accountId, string displayName)
    {
        var partner = "contoso-" + network.ToString().ToLowerInvariant();

        var done = await app.ConnectAsync(partner, network);

        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.StartsWith("/partner/social?t=", done.Headers.Location!.OriginalString);
        var account = Assert.Single(await app.Services.GetRequiredService<SocialAccountStore>().ListAsync(SocialApp.Vendor, partner));
        Assert.Equal((network, accountId, displayName), (account.Network, account.AccountId, account.DisplayName));

        // The raw row: no column holds the access or refresh token in clear, and the stored one decrypts to it.
        var fake = app.Fake(network);
        var row = await app.Table(SocialAccountStore.TableName).GetEntityAsync<TableEntity>(SocialApp.Vendor, SocialAccountStore.RowKeyFor(partner, network));
        foreach (var value in row.Value.Select(p => p.Value).OfType<string>())
        {
            Assert.DoesNotContain(fake.ValidToken, value);
            Assert.DoesNotContain(fake.RefreshToken, value);
        }
        var protector = app.Services.GetRequiredService<SocialTokenProtector>();
        Assert.Equal(fake.ValidToken, protector.Unprotect(account.ProtectedToken, SocialAccount.TokenBindingFor(network, accountId)));

        // What the connector needs is there: the scopes it checks, and a token that posts.
        var check = await app.Services.GetServices<ISocialConnector>().For(network)
            .CheckAccountAsync(Tcma.Functions.Syndication.SocialAccountAccess.ForConnector(account), app.Clock.GetUtcNow().AddHours(1), default);
        Assert.Equal(AccountHealth.Healthy, check.Health);

        var page = await app.Client().GetStringAsync(done.Headers.Location!.OriginalString);
        Assert.Contains($"{SocialOAuthClient.Name(network)} is connected", page);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(displayName), page);
    }

    [Fact]
    public async Task X_connect_uses_pkce_and_the_client_credentials_in_the_basic_header()
    {
        await app.ConnectAsync("contoso", SocialNetwork.X);

        var authorize = app.X.Requests.Single(r => r.Path == "/i/oauth2/authorize");
        Assert.Contains("code_challenge_method=S256", authorize.Query);
        var token = app.X.Requests.Single(r => r.Path == "/2/oauth2/token");
        Assert.StartsWith("Basic ", token.Headers["Authorization"]);
        Assert.False(string.IsNullOrEmpty(token.Form!["code_verifier"]));
        Assert.DoesNotContain(token.Form!["code_verifier"].ToString(), authorize.Query);
        Assert.DoesNotContain(app.X.ClientSecret, token.Query);
    }

    [Fact]
    public async Task A_partner_who_cancels_at_the_network_is_told_nothing_was_connected()
    {
        app.LinkedIn.DenyConsent = true;

        var done = await app.ConnectAsync("contoso", SocialNetwork.LinkedIn);

        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var page = await app.Client().GetStringAsync(done.Headers.Location!.OriginalString);
        Assert.Contains("LinkedIn was not connected", page);
        Assert.Contains("Back to your social accounts", page);
        Assert.Empty(await app.Services.GetRequiredService<SocialAccountStore>().ListAsync(SocialApp.Vendor, "contoso"));
    }

    [Fact]
    public async Task A_tampered_replayed_or_foreign_state_connects_nothing()
    {
        var client = app.Client();
        var start = await client.GetAsync($"/partner/social/connect/facebook?t={Uri.EscapeDataString(app.PartnerLink("contoso"))}");
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        var back = (await browser.GetAsync(start.Headers.Location!)).Headers.Location!;
        var query = System.Web.HttpUtility.ParseQueryString(back.Query);
        var state = query["state"]!;

        async Task<string> CallbackAsync(string network, string s) =>
            (await client.GetAsync($"/partner/social/callback/{network}?code={query["code"]}&state={Uri.EscapeDataString(s)}")).Headers.Location!.OriginalString;

        // One changed character, and a state for Facebook presented to LinkedIn's callback.
        var tampered = state[..10] + (state[10] == 'A' ? 'B' : 'A') + state[11..];
        Assert.Contains("reason=state", await CallbackAsync("facebook", tampered));
        Assert.Contains("reason=state", await CallbackAsync("linkedin", state));
        Assert.Contains("reason=state", await CallbackAsync("facebook", ""));
        // The genuine one works once; the same again is a replay.
        Assert.StartsWith("/partner/social?t=", await CallbackAsync("facebook", state));
        Assert.Contains("reason=state", await CallbackAsync("facebook", state));

        var page = await client.GetStringAsync("/partner/social/problem?reason=state&network=facebook");
        Assert.Contains("Nothing was connected", page);
        Assert.Single(await app.Services.GetRequiredService<SocialAccountStore>().ListAsync(SocialApp.Vendor, "contoso"));
    }

    [Theory]
    [InlineData(SocialNetwork.LinkedIn)]
    [InlineData(SocialNetwork.X)]
    [InlineData(SocialNetwork.Facebook)]
    public async Task A_token_endpoint_that_fails_shows_a_clear_page_and_stores_nothing(SocialNetwork network)
    {
        app.Fake(network).TokenEndpointFails = true;

        var done = await app.ConnectAsync("contoso", network);

        Assert.Contains("reason=failed", done.Headers.Location!.OriginalString);
        var page = await app.Client().GetStringAsync(done.Headers.Location!.OriginalString);
        Assert.Contains($"We could not connect {SocialOAuthClient.Name(network)}", page);
        Assert.Empty(await app.Services.GetRequiredService<SocialAccountStore>().ListAsync(SocialApp.Vendor, "contoso"));
    }

    [Fact]
    public async Task A_facebook_consent_without_a_page_says_to_choose_one()
    {
        app.Facebook.NoPages = true;

        var done = await app.ConnectAsync("contoso", SocialNetwork.Facebook);

        var page = await app.Client().GetStringAsync(done.Headers.Location!.OriginalString);
        Assert.Contains("No Facebook Page was shared", page);
    }

    [Fact]
    public async Task The_page_lists_the_networks_and_disconnect_removes_the_account()
    {
        await app.ConnectAsync("contoso", SocialNetwork.LinkedIn);
        var link = app.PartnerLink("contoso");
        var client = app.Client();

        var page = await client.GetStringAsync($"/partner/social?t={Uri.EscapeDataString(link)}");
        Assert.Contains("Connect X", page);
        Assert.Contains("Connect Facebook", page);
        Assert.Contains("Posting as <strong>Partner Admin</strong>", page);

        var disconnected = await client.PostAsync($"/partner/social/disconnect/linkedin?t={Uri.EscapeDataString(link)}", null);
        Assert.Equal(HttpStatusCode.Redirect, disconnected.StatusCode);
        Assert.Empty(await app.Services.GetRequiredService<SocialAccountStore>().ListAsync(SocialApp.Vendor, "contoso"));
    }

    [Fact]
    public async Task Links_for_other_purposes_and_no_link_at_all_cannot_manage_accounts()
    {
        var client = app.Client();

        // No link and no portal session: the portal asks the partner to sign in, and brings them back here.
        var anonymous = await client.GetAsync("/partner/social/connect/linkedin");
        Assert.Equal("/partner/signin?returnUrl=%2Fpartner%2Fsocial%2Fconnect%2Flinkedin", anonymous.Headers.Location!.OriginalString);
        var unsubscribe = await client.GetAsync($"/partner/social/connect/linkedin?t={Uri.EscapeDataString(app.PartnerLink("contoso", "unsubscribe"))}");
        Assert.Equal("/partner/link-invalid", unsubscribe.Headers.Location!.OriginalString);
        var disconnect = await client.PostAsync($"/partner/social/disconnect/linkedin?t={Uri.EscapeDataString(app.PartnerLink("contoso", "unsubscribe"))}", null);
        Assert.Equal("/partner/link-invalid", disconnect.Headers.Location!.OriginalString);
        var page = await client.GetStringAsync($"/partner/social?t={Uri.EscapeDataString(app.PartnerLink("contoso", "accept"))}");
        Assert.Contains("This link cannot manage social accounts", page);
        // The launch link opens the page.
        var launch = await client.GetStringAsync($"/partner/social?t={Uri.EscapeDataString(app.PartnerLink("contoso", "launch"))}");
        Assert.Contains("Connect LinkedIn", launch);
        var unknown = await client.GetAsync($"/partner/social/connect/myspace?t={Uri.EscapeDataString(app.PartnerLink("contoso"))}");
        Assert.Contains("reason=network", unknown.Headers.Location!.OriginalString);
    }
}
