using System.Net;
using System.Net.Http.Json;
using System.Text;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Identity;
using Tcma.Functions.Mdf;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>Programs and the money put into them: defined by the vendor admin, allocated and accrued once however often it is run.</summary>
public sealed class MdfProgramTests
{
    [Fact]
    public async Task A_program_is_stored_as_sent_and_refused_whole_with_every_reason_when_wrong()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var admin = await kit.App.SignedInAsync(kit.Vendor, VendorRole.VendorAdmin);
        var read = await admin.GetFromJsonAsync<MdfProgram>($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}", MdfJson.Options);
        Assert.Equal(MdfJson.Write(kit.Program()), MdfJson.Write(read));

        var bad = kit.Program() with { Id = "bad", ActivityTypes = [new("events", "Events", 1.5m, MdfTestKit.Usd(10m), "")], ReminderAfterDays = 0 };
        var refused = await admin.PutAsync($"/api/vendors/{kit.Vendor}/mdf/programs/bad", MdfTestKit.Json(bad));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("program.activity_rate", body);
        Assert.Contains("program.activity_gl_code", body);
        Assert.Contains("program.reminders", body);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/vendors/{kit.Vendor}/mdf/programs/bad")).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync($"/api/vendors/{kit.Vendor}/mdf/programs/other", MdfTestKit.Json(kit.Program()))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}",
            new StringContent("{\"id\":\"q1-2026\",\"currency\":\"XXX\"}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await admin.PutAsync($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}",
            new StringContent(new string(' ', 300_000), Encoding.UTF8, "application/json"))).StatusCode);

        var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}") { Content = MdfTestKit.Json(kit.Program()) };
        stale.Headers.TryAddWithoutValidation("If-Match", "W/\"datetime'2020-01-01T00%3A00%3A00Z'\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await admin.SendAsync(stale)).StatusCode);

        var approver = await kit.App.SignedInAsync(kit.Vendor, VendorRole.MdfApprover);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.PutAsync($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}", MdfTestKit.Json(kit.Program()))).StatusCode);
        var stranger = await kit.App.SignedInAsync("other-vendor", VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}")).StatusCode);
    }

    [Fact]
    public async Task Allocating_and_importing_the_same_revenue_again_credits_each_partner_once()
    {
        await using var kit = await MdfTestKit.StartAsync();
        await kit.AddPartnerAsync("quay", $"owner@quay.{kit.Vendor}.example");
        var admin = await kit.App.SignedInAsync(kit.Vendor, VendorRole.VendorAdmin);
        var url = $"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}";
        var all = await admin.PostAsync($"{url}/allocations", null);
        var lines = await all.Content.ReadFromJsonAsync<List<AllocationLine>>(MdfJson.Options);
        Assert.Contains(lines!, l => l.PartnerId == "harbour" && l.Outcome == "already allocated");
        Assert.Contains(lines!, l => l.PartnerId == "quay" && l.Outcome.StartsWith("allocated"));

        var csv = "partner_id,revenue\nharbour,\"100,000.00\"\nquay,2500.55\n";
        for (var i = 0; i < 2; i++)
        {
            var imported = await admin.PostAsync($"{url}/accruals?period=2026-01", new StringContent(csv, Encoding.UTF8, "text/csv"));
            var result = await imported.Content.ReadFromJsonAsync<AccrualResult>(MdfJson.Options);
            Assert.Equal(i == 0 ? 2 : 0, result!.Booked);
            Assert.Equal(i == 0 ? 0 : 2, result.AlreadyBooked);
        }
        var figures = await kit.FiguresAsync();
        Assert.Equal(MdfTestKit.Usd(20_000m), figures.Allocated);
        Assert.Equal(MdfTestKit.Usd(2_000m), figures.Accrued);
        Assert.Equal(MdfTestKit.Usd(22_000m), figures.Available);

        var unknown = await admin.PostAsync($"{url}/accruals?period=2026-02", new StringContent("partner_id,revenue\nnobody,100\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("accrual.unknown_partner", await unknown.Content.ReadAsStringAsync());
        var garbage = await admin.PostAsync($"{url}/accruals?period=2026-02", new StringContent("partner_id,revenue\nharbour,lots\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync($"{url}/accruals", new StringContent(csv, Encoding.UTF8, "text/csv"))).StatusCode);
        Assert.Equal(MdfTestKit.Usd(2_000m), (await kit.FiguresAsync()).Accrued);
        await kit.AssertLedgerExactAsync();
    }
}
