using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tcma.Domain;
using Tcma.Syndication;

namespace Tcma.UnitTests.Syndication;

/// <summary>The consent URLs as each network documents them, and PKCE as RFC 7636 defines S256.</summary>
public sealed class SocialOAuthTests
{
    private static readonly Uri Redirect = new("https://app.example/partner/social/callback/x");

    private static SocialOAuthClient Client()
    {
        var options = new SyndicationOptions();
        options.LinkedIn.ClientId = "li-client";
        options.X.ClientId = "x-client";
        options.Facebook.ClientId = "fb-app";
        return new SocialOAuthClient(new HttpClient(), Options.Create(options), TimeProvider.System, NullLogger<SocialOAuthClient>.Instance);
    }

    private static Dictionary<string, string> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));

    [Fact]
    public void Pkce_challenge_is_the_base64url_sha256_of_a_43_character_verifier()
    {
        var (verifier, challenge) = SocialOAuthClient.NewPkce();

        Assert.Equal(43, verifier.Length);
        Assert.Matches("^[A-Za-z0-9_-]+$", verifier);
        Assert.Equal(System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))), challenge);
        Assert.NotEqual(verifier, SocialOAuthClient.NewPkce().Verifier);
    }

    [Fact]
    public void Each_network_gets_its_own_consent_url_with_state_scopes_and_the_exact_redirect_uri()
    {
        var client = Client();

        var linkedIn = client.AuthorizationUrl(SocialNetwork.LinkedIn, Redirect, "st&ate", null);
        var x = client.AuthorizationUrl(SocialNetwork.X, Redirect, "state", "challenge");
        var facebook = client.AuthorizationUrl(SocialNetwork.Facebook, Redirect, "state", null);

        Assert.Equal("https://www.linkedin.com/oauth/v2/authorization", linkedIn.GetLeftPart(UriPartial.Path));
        Assert.Equal("st&ate", Query(linkedIn)["state"]);
        Assert.Equal("openid profile w_member_social", Query(linkedIn)["scope"]);
        Assert.Equal(Redirect.ToString(), Query(linkedIn)["redirect_uri"]);
        Assert.Equal("https://x.com/i/oauth2/authorize", x.GetLeftPart(UriPartial.Path));
        Assert.Equal(("challenge", "S256"), (Query(x)["code_challenge"], Query(x)["code_challenge_method"]));
        Assert.Contains("offline.access", Query(x)["scope"]);
        Assert.Equal("https://www.facebook.com/v25.0/dialog/oauth", facebook.GetLeftPart(UriPartial.Path));
        Assert.Equal("pages_show_list,pages_manage_posts,pages_read_engagement", Query(facebook)["scope"]);
        Assert.All(new[] { linkedIn, x, facebook }, u => Assert.Equal("code", Query(u)["response_type"]));
    }

    [Fact]
    public void X_without_a_pkce_challenge_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => Client().AuthorizationUrl(SocialNetwork.X, Redirect, "state", null));
    }

    [Fact]
    public void A_network_is_connectable_only_with_both_client_id_and_secret()
    {
        var options = new SyndicationOptions();
        options.X.ClientId = "x-client";
        var client = new SocialOAuthClient(new HttpClient(), Options.Create(options), TimeProvider.System, NullLogger<SocialOAuthClient>.Instance);

        Assert.False(client.IsConfigured(SocialNetwork.X));
        options.X.ClientSecret = "secret";
        Assert.True(client.IsConfigured(SocialNetwork.X));
        Assert.False(client.IsConfigured(SocialNetwork.LinkedIn));
    }
}
