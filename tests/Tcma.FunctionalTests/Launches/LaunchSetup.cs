using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.FunctionalTests.Kits;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Storage.Messaging;
using Tcma.Storage.Rendering;

namespace Tcma.FunctionalTests.Launches;

/// <summary>A vendor with the cloud-backup kit published and partners onboarded, as a channel manager would set it up.</summary>
internal static class LaunchSetup
{
    public const string Vendor = "northwind";
    public const string Kit = "cloud-backup-nurture";

    public static string Unique(string who) => $"{who}-{Guid.NewGuid():N}@example.test";

    public static async Task<HttpClient> PublishedKitAsync(TcmaAppFactory app, Func<string, string>? manifest = null)
    {
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var zip = new ByteArrayContent(KitZips.CloudBackupWith(manifest));
        zip.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync($"/api/vendors/{Vendor}/kits", zip)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/vendors/{Vendor}/kits/{Kit}/versions/1.0.0/publish", null)).StatusCode);
        return client;
    }

    public static async Task PartnerAsync(HttpClient client, string id, string tier, params string[] contacts)
    {
        var response = await client.PutAsJsonAsync($"/api/vendors/{Vendor}/partners/{id}", new
        {
            companyName = $"{id} IT", tier, region = "EMEA", country = "DE", specialisations = new[] { "Backup" },
            contacts = contacts.Select((c, i) => new { name = $"Contact {i}", email = c, role = "Owner" }),
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static Task BrandAsync(TcmaAppFactory app, string partnerId) =>
        app.Services.GetRequiredService<BrandProfileStore>().SaveAsync(Vendor, partnerId, SamplePartner.Profile);

    public static async Task<JsonElement> InviteAsync(HttpClient client, object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await client.PostAsJsonAsync($"/api/vendors/{Vendor}/invitations", body);
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static string TokenOf(string link) => Uri.UnescapeDataString(new Uri(link).Query.Split("t=")[1]);

    public static HttpClient Partner(TcmaAppFactory app, string token)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Add(Schemes.LinkHeader, token);
        return client;
    }

    /// <summary>One partner invited with a brand profile; returns the partner's token and invitation id.</summary>
    public static async Task<(HttpClient Vendor, string Token, string InvitationId, string Contact)> InvitedPartnerAsync(
        TcmaAppFactory app, string partnerId = "contoso", Func<string, string>? manifest = null)
    {
        var client = await PublishedKitAsync(app, manifest);
        var contact = Unique(partnerId);
        await PartnerAsync(client, partnerId, "Gold", contact);
        await BrandAsync(app, partnerId);
        var invited = await InviteAsync(client, new { kitId = Kit, version = "1.0.0", partnerIds = new[] { partnerId } });
        var invitation = invited.GetProperty("invited")[0];
        return (client, TokenOf(invitation.GetProperty("link").GetString()!), invitation.GetProperty("id").GetString()!, contact);
    }

    public static async Task<string> UploadContactsAsync(HttpClient partner, string csv)
    {
        var response = await partner.PostAsync("/api/partner/launch/contacts", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("uploadId").GetString()!;
    }

    public static object Confirm(string invitationId, string start, string? contacts, string zone = "Europe/Berlin", object? edits = null, string[]? networks = null) =>
        new { launchKey = invitationId, startDate = start, timeZone = zone, edits = edits ?? new { }, email = contacts is not null, contacts, networks = networks ?? [] };

    /// <summary>The bodies of the messages on one of the app's queues right now.</summary>
    public static async Task<IReadOnlyList<T>> QueuedAsync<T>(TcmaAppFactory app, string queue)
    {
        var client = new QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{queue}", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await client.CreateIfNotExistsAsync();
        var bodies = new List<T>();
        foreach (var m in (await client.PeekMessagesAsync(32)).Value)
            if (MessageEnvelope.TryRead(m.Body.ToString(), out var envelope) && envelope.Body is { } body)
                bodies.Add(JsonSerializer.Deserialize<T>(body)!);
        return bodies;
    }

    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > until) return value;
            await Task.Delay(200);
        }
    }
}
