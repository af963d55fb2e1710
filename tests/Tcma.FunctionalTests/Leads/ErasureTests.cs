using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.FunctionalTests.Hosting;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Leads;
using Tcma.Storage;
using Tcma.Storage.Leads;
using Tcma.Storage.Messaging;

namespace Tcma.FunctionalTests.Leads;

/// <summary>GDPR erasure end to end: after it, no table row and no blob of the run holds the person's data, the anonymous record remains, and erasing again changes nothing.</summary>
public sealed class ErasureTests
{
    private const string Vendor = "northwind";
    private const string Email = "ana.silva@contoso.example";

    /// <summary>Every string in every table row and every blob of this run's storage that mentions any of the needles.</summary>
    internal static async Task<List<string>> FindAnywhereAsync(TcmaAppFactory app, params string[] needles)
    {
        var hits = new List<string>();
        var tables = new TableServiceClient(app.StorageConnectionString);
        await foreach (var table in tables.QueryAsync(t => t.Name.CompareTo(app.StoragePrefix) >= 0 && t.Name.CompareTo(app.StoragePrefix + "~") < 0))
            await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
                foreach (var (key, value) in row)
                    if (value is string s && needles.Any(n => s.Contains(n, StringComparison.OrdinalIgnoreCase)))
                        hits.Add($"{table.Name}/{row.PartitionKey}/{row.RowKey}.{key}");
        var blobs = new BlobServiceClient(app.StorageConnectionString);
        await foreach (var container in blobs.GetBlobContainersAsync(prefix: app.StoragePrefix))
        {
            var client = blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync())
            {
                var text = (await client.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
                if (needles.Any(n => text.Contains(n, StringComparison.OrdinalIgnoreCase))) hits.Add($"{container.Name}/{blob.Name}");
            }
        }
        return hits;
    }

    [Fact]
    public async Task Erasure_removes_the_persons_data_from_leads_index_activities_imports_and_payload_blobs_and_keeps_an_anonymous_record()
    {
        await using var crm = await new FakeCrm().StartAsync();
        await using var app = await TcmaAppFactory.StartAsync();
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/crm-webhook", new { url = crm.Url })).StatusCode);
        var api = app.WithApiKey((await app.CreateApiKeyAsync(Vendor, VendorRole.ChannelManager)).Key);
        var captured = await api.PostAsJsonAsync($"/api/vendors/{Vendor}/leads", new
        {
            email = Email, firstName = "Ana", lastName = "Silva", country = "DE", phone = "030 1234567", company = "Contoso GmbH", jobTitle = "CTO",
            postalCode = "10115", consentText = "Yes, contact me.", sourcePage = "https://northwind.example/p", ipAddress = "203.0.113.7",
        });
        var leadId = LeadStore.LeadId(Vendor, (await captured.Content.ReadFromJsonAsync<JsonObject>())!["submissionId"]!.GetValue<string>());
        // The same person in an import (merged into the lead as an activity) next to someone else.
        var import = (await (await api.PostAsync($"/api/vendors/{Vendor}/leads/imports", new StringContent(
            "Email,First name,Last name,Country,Consent text\nbo@fabrikam.example,Bo,Lind,SE,Met at CeBIT\n ANA.SILVA@contoso.example ,Ana,Silva,DE,Met at CeBIT\n",
            Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<LeadImportView>())!;
        var store = app.Services.GetRequiredService<LeadStore>();
        await QueueTriggerTests.WaitUntilAsync(async () => (await store.GetAsync(Vendor, leadId, default))?.Activities.Count == 2
            && await store.GetAsync(Vendor, LeadStore.LeadId(Vendor, $"{import.ImportId}-r2"), default) is not null);
        // A captured submission too big for a queue message waits in a blob.
        var storage = app.Services.GetRequiredService<StorageAccount>();
        var payloads = await storage.ContainerAsync(MessageEnvelope.PayloadContainer);
        await payloads.GetBlobClient($"{storage.Names.Queue(LeadEndpoints.CapturedQueue)}/big.json").UploadAsync(BinaryData.FromString(
            System.Text.Json.JsonSerializer.Serialize(new LeadSubmission { SubmissionId = "big", VendorId = Vendor, Source = new LeadSource.Api("x"), ReceivedAt = DateTimeOffset.UtcNow, Email = Email, FirstName = "Ana" })));
        Assert.NotEmpty(await FindAnywhereAsync(app, Email, "203.0.113.7", "Contoso GmbH"));

        var response = await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/erasures", new { email = "  Ana.Silva@Contoso.example " });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = (await response.Content.ReadFromJsonAsync<ErasureView>())!;
        Assert.Equal(1, view.LeadsErased);
        var record = Assert.Single(view.Records);
        Assert.Equal(leadId, record.LeadId);
        Assert.Contains("email", record.ErasedFields);
        Assert.Contains("consent.ipAddress", record.ErasedFields);
        Assert.True(LeadErasure.WasErased(Vendor, Email, view.Records, app.Services.GetRequiredService<LeadErasures>().HashKey));

        Assert.Empty(await FindAnywhereAsync(app, Email, "ana.silva", "203.0.113.7", "Contoso GmbH", "+49301234567", "10115", "northwind.example/p"));
        var lead = (await api.GetFromJsonAsync<Lead>($"/api/vendors/{Vendor}/leads/{leadId}"))!;
        Assert.True(lead.IsErased);
        Assert.Equal(("", "", "DE"), (lead.Person.Email, lead.Person.FirstName, lead.Person.Country));
        Assert.All(lead.Activities, a => Assert.Equal("", a.Consent!.IpAddress));
        Assert.Equal("Yes, contact me.", lead.Consent.Text);
        // The CRM is told, with nothing personal left in the payload.
        await QueueTriggerTests.WaitUntilAsync(() => Task.FromResult(crm.Requests.Any(r => r.EventId == $"{leadId}-erased")));
        var erasedEvent = System.Text.Json.JsonSerializer.Deserialize<CrmWebhookPayload>(crm.Requests.First(r => r.EventId == $"{leadId}-erased").Body, CrmWebhook.Json)!;
        Assert.Equal((CrmEventTypes.Erased, true, "", ""), (erasedEvent.EventType, erasedEvent.Lead.Erased, erasedEvent.Lead.Email, erasedEvent.Lead.Consent.IpAddress));
        // The other person in the same file is untouched.
        Assert.NotEmpty(await FindAnywhereAsync(app, "bo@fabrikam.example"));

        var again = (await (await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/erasures", new { email = Email })).Content.ReadFromJsonAsync<ErasureView>())!;
        Assert.Equal(0, again.LeadsErased);
        Assert.True(again.AlreadyErased);
        Assert.Single(again.Records);
    }

    [Fact]
    public async Task Only_vendor_admins_erase_and_a_missing_email_is_refused()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsJsonAsync($"/api/vendors/{Vendor}/erasures", new { email = Email })).StatusCode);
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/erasures", new { email = "nope" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"/api/vendors/contoso/erasures", new { email = Email })).StatusCode);
        var nobody = (await (await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/erasures", new { email = Email })).Content.ReadFromJsonAsync<ErasureView>())!;
        Assert.Equal((0, false), (nobody.LeadsErased, nobody.AlreadyErased));
    }
}
