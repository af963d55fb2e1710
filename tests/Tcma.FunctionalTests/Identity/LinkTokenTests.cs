using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Identity;

namespace Tcma.FunctionalTests.Identity;

public sealed class LinkTokenTests
{
    [Fact]
    public async Task A_single_use_link_works_once_and_the_second_use_fails()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var tokens = app.Services.GetRequiredService<LinkTokens>();
        var token = tokens.Create(TokenPurposes.Accept, "partner-7", "acme", TimeSpan.FromDays(2));

        var first = await tokens.ConsumeAsync(token, TokenPurposes.Accept);
        var second = await tokens.ConsumeAsync(token, TokenPurposes.Accept);
        Assert.True(first.IsValid);
        Assert.Equal(TokenFailure.AlreadyUsed, second.Failure);
        // A different link for the same partner and purpose is its own use.
        Assert.True((await tokens.ConsumeAsync(tokens.Create(TokenPurposes.Accept, "partner-7", "acme", TimeSpan.FromDays(2)), TokenPurposes.Accept)).IsValid);
    }

    [Fact]
    public async Task Racing_uses_of_one_link_let_exactly_one_through()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var tokens = app.Services.GetRequiredService<LinkTokens>();
        var token = tokens.Create(TokenPurposes.Approve, "request-9", "acme", TimeSpan.FromDays(2));
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => tokens.ConsumeAsync(token, TokenPurposes.Approve)));
        Assert.Equal(1, results.Count(r => r.IsValid));
        Assert.All(results.Where(r => !r.IsValid), r => Assert.Equal(TokenFailure.AlreadyUsed, r.Failure));
    }

    [Fact]
    public async Task A_partner_link_signs_the_partner_in_until_it_expires_and_never_as_a_vendor_user()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock: clock);
        var link = app.PartnerLink("acme", "partner-42", TokenPurposes.Launch, TimeSpan.FromHours(1));
        var client = app.Anonymous();

        var me = await client.GetFromJsonAsync<WhoAmI>($"/api/partner/me?t={link}");
        Assert.Equal(("acme", "partner-42", "launch", ActorKinds.Partner), (me!.VendorId, me.PartnerId, me.LinkPurpose, me.Kind));
        // Known (a partner) but not allowed (a vendor API): 403.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/me?t={link}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/partner/me?t={link[..^2]}AA")).StatusCode);

        var page = await client.GetAsync($"/partner?t={link}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("partner-42", await page.Content.ReadAsStringAsync());

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/partner/me?t={link}")).StatusCode);
        var expired = await client.GetAsync($"/partner?t={link}");
        Assert.Equal("/partner/link-invalid", expired.Headers.Location?.OriginalString);
        var explanation = await client.GetStringAsync("/partner/link-invalid");
        Assert.DoesNotContain("expired at", explanation);
        Assert.DoesNotContain("signature", explanation, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_link_signed_by_a_key_the_app_does_not_hold_is_refused()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var foreign = new TokenSigner(new TokenKeys(new Dictionary<string, byte[]> { ["dev"] = new byte[32] }, "dev"))
            .Sign(TokenPurposes.Launch, "partner-42", "acme", DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync($"/api/partner/me?t={foreign}")).StatusCode);
    }

    [Fact]
    public async Task Outside_Development_without_keys_the_app_still_boots_but_no_link_is_made_or_accepted()
    {
        await using var app = await TcmaAppFactory.StartAsync(overrides: new Dictionary<string, string?> { ["environment"] = "Production" });
        var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/signin")).StatusCode);

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => app.Services.GetRequiredService<LinkTokens>());
        Assert.Contains("Tokens:ActiveKey", error.Message);
        var page = await client.GetAsync("/partner?t=anything");
        Assert.Equal("/partner/link-invalid", page.Headers.Location?.OriginalString);
        var response = await client.GetAsync("/api/partner/me?t=anything");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("Tokens", await response.Content.ReadAsStringAsync());
    }
}
