using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tcma.Domain.Deals;
using Tcma.Domain.Leads;
using Tcma.FunctionalTests.Hosting;
using Tcma.FunctionalTests.Leads;
using Tcma.Functions.Leads;

namespace Tcma.FunctionalTests.Deals;

/// <summary>Registrations reach the vendor's CRM as leads do: signed, deal schema version 1, retried with the same event id.</summary>
public sealed class DealCrmWebhookTests
{
    [Fact]
    public async Task Registration_events_reach_the_CRM_signed_and_a_failed_delivery_is_retried_with_the_same_event_id()
    {
        await using var crm = await new FakeCrm().StartAsync();
        crm.AnswerNext(500);
        await using var kit = await DealTestKit.StartAsync(settings: new()
        {
            [$"{CrmWebhookOptions.Section}:FirstDelay"] = "00:00:00.050",
            ["LocalTriggerHost:MaxPollingInterval"] = "00:00:00.200",
        });
        var put = await kit.Admin.PutAsJsonAsync($"/api/vendors/{kit.Vendor}/crm-webhook", new { url = crm.Url });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var secret = (await put.Content.ReadFromJsonAsync<CrmWebhookView>())!.Secret!;

        var deal = await kit.ApprovedAsync("alpha");
        await QueueTriggerTests.WaitUntilAsync(() => Task.FromResult(crm.Requests.Count(r => r.Body.Contains(DealCrmEvents.Approved)) >= 1 && crm.Requests.Count(r => r.Body.Contains(DealCrmEvents.Submitted)) >= 1));

        var submitted = crm.Requests.Where(r => r.Body.Contains($"\"{DealCrmEvents.Submitted}\"")).ToList();
        var approved = crm.Requests.First(r => r.Body.Contains($"\"{DealCrmEvents.Approved}\""));
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(approved.Signature, approved.Body, Encoding.UTF8.GetBytes(secret), kit.Clock.GetUtcNow()));
        var payload = JsonSerializer.Deserialize<CrmDealPayload>(approved.Body, CrmWebhook.Json)!;
        Assert.Equal(1, payload.SchemaVersion);
        Assert.Equal(deal.Id, payload.Registration.Id);
        Assert.Equal("50000.00", payload.Registration.EstimatedValue);
        Assert.Equal(new DateOnly(2026, 5, 30), payload.Registration.ProtectedUntil);
        Assert.Equal(approved.EventId, payload.EventId);
        // One of the two first events met the 500 and came again under its own id; none was lost.
        Assert.True(crm.Requests.GroupBy(r => r.EventId).Any(g => g.Count() == 2), string.Join(", ", crm.Requests.Select(r => r.EventId)));
        Assert.NotEmpty(submitted);
    }
}
