using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Kits;

/// <summary>A post that is too long for its network once rendered for a partner is refused at upload, not discovered at send time.</summary>
public sealed class SocialPostLimitTests
{
    [Fact]
    public async Task An_x_post_over_280_characters_after_rendering_is_refused_with_its_length()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var client = await app.SignedInAsync("northwind", VendorRole.ChannelManager);
        // 270 characters of copy fit alone, but not with the partner's name in front of them.
        var zip = KitZips.CloudBackupWith(
            manifest: m => m.Replace("\"network\": \"linkedin\"", "\"network\": \"x\""),
            files: f => f["social/linkedin-launch.txt"] = Encoding.UTF8.GetBytes("{{ partner.company_name }}: " + new string('a', 270)));
        var body = new ByteArrayContent(zip);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/zip");

        var response = await client.PostAsync("/api/vendors/northwind/kits", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("social/linkedin-launch.txt", text);
        Assert.Contains("X allows 280", text);
    }
}
