using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Identity;
using Tcma.Functions.Mdf;
using Tcma.Storage;
using Tcma.Storage.Mdf;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>Claims with proof of performance: checked by their bytes, converted from the reservation, approved by finance from email.</summary>
public sealed class MdfClaimTests
{
    public static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");

    public static MultipartFormDataContent ClaimForm(string actualCost, string? amount = null, params (string Name, string Type, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(actualCost), "actualCost" },
            { new StringContent("31"), "leads" },
            { new StringContent("120000"), "pipeline" },
            { new StringContent("42 attendees, see list"), "notes" },
        };
        if (amount is not null) form.Add(new StringContent(amount), "amount");
        foreach (var (name, type, bytes) in files)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            form.Add(content, "proof", name);
        }
        return form;
    }

    private static async Task<RequestView> ApprovedRequestAsync(MdfTestKit kit)
    {
        var request = await kit.ProposeOkAsync(MdfTestKit.Proposal());
        var cm = await kit.App.SignedInAsync(kit.Vendor, VendorRole.MdfApprover, kit.ChannelManager.Email);
        var approved = await cm.PostAsync($"/api/vendors/{kit.Vendor}/mdf/requests/{request.Id}/decisions", MdfTestKit.Json(new { step = request.Step, action = "approve" }));
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        return request;
    }

    [Fact]
    public async Task A_claim_with_a_pdf_converts_the_reservation_and_finance_approves_a_lower_amount_from_the_email()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var request = await ApprovedRequestAsync(kit);
        var url = $"/api/partner/mdf/requests/{request.Id}/claim";

        Assert.Contains("claim.activity_not_over", await (await kit.PartnerClient.PostAsync(url, ClaimForm("3000", null, ("invoice.pdf", "application/pdf", Pdf)))).Content.ReadAsStringAsync());
        kit.Clock.Advance(TimeSpan.FromDays(30)); // 2026-02-04: the activity is over

        // Actual cost 3,000 at 50% is 1,500 reimbursable: 1,500 is claimed and the other 500 of the reservation is free again.
        var claimed = await kit.PartnerClient.PostAsync(url, ClaimForm("3,000", null, ("invoice.pdf", "application/pdf", Pdf)));
        Assert.Equal(HttpStatusCode.Created, claimed.StatusCode);
        var claim = (await claimed.Content.ReadFromJsonAsync<ClaimView>(MdfJson.Options))!;
        Assert.Equal(MdfTestKit.Usd(1_500m), claim.Amount);
        var figures = await kit.FiguresAsync();
        Assert.Equal((MdfTestKit.Usd(0m), MdfTestKit.Usd(1_500m), MdfTestKit.Usd(18_500m)), (figures.Reserved, figures.Claimed, figures.Available));
        Assert.Equal(FundRequestStatus.Claimed, (await kit.RequestAsync(request.Id)).Status);

        var blobs = kit.App.Services.GetRequiredService<StorageAccount>().Container(MdfService.ProofContainer);
        var stored = await blobs.GetBlobClient(MdfService.ProofBlobName(kit.Vendor, claim.Id, 0, "invoice.pdf")).DownloadContentAsync();
        Assert.Equal(Pdf, stored.Value.Content.ToArray());

        // The same claim again is the same claim; a different one against the same request is refused.
        var again = await kit.PartnerClient.PostAsync(url, ClaimForm("3,000", null, ("invoice.pdf", "application/pdf", Pdf)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var second = await kit.PartnerClient.PostAsync(url, ClaimForm("2000", null, ("other.pdf", "application/pdf", Pdf)));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);

        var links = await kit.LinksAsync(kit.Finance, claim.Id);
        Assert.Equal(["Approve", "Approve a lower amount", "Reject with reason"], links.Keys);
        var (status, _) = await kit.ConfirmAsync(links["Approve a lower amount"], new() { ["amount"] = "1200" });
        Assert.Equal(HttpStatusCode.OK, status);
        var finance = await kit.App.SignedInAsync(kit.Vendor, VendorRole.Finance, kit.Finance.Email);
        var approved = await finance.GetFromJsonAsync<ClaimView>($"/api/vendors/{kit.Vendor}/mdf/claims/{claim.Id}", MdfJson.Options);
        Assert.Equal(ClaimStatus.Approved, approved!.Status);
        Assert.Equal(MdfTestKit.Usd(1_200m), approved.Amount);
        figures = await kit.FiguresAsync();
        Assert.Equal((MdfTestKit.Usd(1_200m), MdfTestKit.Usd(18_800m)), (figures.Claimed, figures.Available));
        // The approved claim is owed to the partner: finance's payout list has it once, for the approved amount.
        var payout = await kit.App.Services.GetRequiredService<PayoutStore>().GetAsync(kit.Vendor, claim.Id);
        Assert.Equal((MdfTestKit.Usd(1_200m), "6100-EVT", PayoutStatus.Owed), (payout!.Payout.Amount, payout.Payout.GlCode, payout.Status));
        var mails = await kit.App.Inbox.WaitForAsync(kit.PartnerEmail, 4);
        Assert.Contains(mails, m => m.Text!.Contains("MDF-" + claim.Id));

        // Someone else in finance, not named in this program's claim chain, exports it and records the ERP's payment:
        // the claim itself turns Paid (on their behalf), the fund shows it paid once.
        var otherFinance = await kit.App.SignedInAsync(kit.Vendor, VendorRole.Finance, $"treasury@{kit.Vendor}.example");
        var export = await otherFinance.PostAsync($"/api/vendors/{kit.Vendor}/mdf/payout-exports", null);
        Assert.True(export.IsSuccessStatusCode, await export.Content.ReadAsStringAsync());
        var paid = await otherFinance.PostAsJsonAsync($"/api/vendors/{kit.Vendor}/mdf/payouts/{claim.Id}/paid", new { reference = "ERP-2026-88" });
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        var after = await finance.GetFromJsonAsync<ClaimView>($"/api/vendors/{kit.Vendor}/mdf/claims/{claim.Id}", MdfJson.Options);
        Assert.Equal(ClaimStatus.Paid, after!.Status);
        figures = await kit.FiguresAsync();
        Assert.Equal((MdfTestKit.Usd(0m), MdfTestKit.Usd(1_200m), MdfTestKit.Usd(18_800m)), (figures.Claimed, figures.Paid, figures.Available));
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task Proof_that_is_not_what_it_claims_too_many_files_no_file_and_late_claims_are_refused_and_book_nothing()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var request = await ApprovedRequestAsync(kit);
        var url = $"/api/partner/mdf/requests/{request.Id}/claim";
        kit.Clock.Advance(TimeSpan.FromDays(30));

        async Task Refused(HttpContent form, string code)
        {
            var response = await kit.PartnerClient.PostAsync(url, form);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType, $"{response.StatusCode} for {code}");
            Assert.Contains(code, await response.Content.ReadAsStringAsync());
        }
        await Refused(ClaimForm("3000", null, ("invoice.pdf", "application/pdf", Encoding.ASCII.GetBytes("MZ\x90\0 definitely an exe"))), "proof.content_mismatch");
        await Refused(ClaimForm("3000", null, ("tool.exe", "application/x-msdownload", Pdf)), "proof.type_not_allowed");
        await Refused(ClaimForm("3000", null, ("invoice.png", "application/pdf", Pdf)), "proof.extension_mismatch");
        await Refused(ClaimForm("3000", null), "claim.no_proof");
        await Refused(ClaimForm("3000", null, Enumerable.Range(0, 21).Select(i => ($"p{i}.pdf", "application/pdf", Pdf)).ToArray()), "claim.too_many_proofs");
        await Refused(ClaimForm("-3000", null, ("invoice.pdf", "application/pdf", Pdf)), "money.negative");
        await Refused(ClaimForm("three thousand", null, ("invoice.pdf", "application/pdf", Pdf)), "money.not_a_number");
        await Refused(ClaimForm("3000", "1600", ("invoice.pdf", "application/pdf", Pdf)), "claim.above_reimbursable");
        await Refused(new StringContent("{}", Encoding.UTF8, "application/json"), "claim.content_type");

        kit.Clock.Advance(TimeSpan.FromDays(60)); // 2026-04-05: past the claim deadline of 2026-04-04
        await Refused(ClaimForm("3000", null, ("invoice.pdf", "application/pdf", Pdf)), "claim.deadline_passed");

        var figures = await kit.FiguresAsync();
        Assert.Equal((MdfTestKit.Usd(2_000m), MdfTestKit.Usd(0m)), (figures.Reserved, figures.Claimed));
        Assert.Empty((await kit.OverviewAsync()).Claims);
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task A_late_claim_is_accepted_once_an_approver_approved_the_extension_from_the_email()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var request = await ApprovedRequestAsync(kit);
        var url = $"/api/partner/mdf/requests/{request.Id}/claim";
        kit.Clock.Advance(TimeSpan.FromDays(90)); // 2026-04-05: a day after the deadline
        Assert.Contains("ask for an extension", await (await kit.PartnerClient.PostAsync(url, ClaimForm("3000", null, ("invoice.pdf", "application/pdf", Pdf)))).Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, (await kit.PartnerClient.PostAsync($"/api/partner/mdf/requests/{request.Id}/extension", MdfTestKit.Json(new { until = "30/04/2026", text = "x" }))).StatusCode);
        var asked = await kit.PartnerClient.PostAsync($"/api/partner/mdf/requests/{request.Id}/extension", MdfTestKit.Json(new { until = "2026-04-30", text = "The venue sent its invoice late" }));
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("waiting for a decision", await (await kit.PartnerClient.PostAsync(url, ClaimForm("3000", null, ("invoice.pdf", "application/pdf", Pdf)))).Content.ReadAsStringAsync());

        var links = await kit.LinksAsync(kit.ChannelManager, request.Id, 2);
        Assert.Equal(["Approve the extension", "Decline the extension"], links.Keys);
        Assert.Equal(HttpStatusCode.OK, (await kit.ConfirmAsync(links["Approve the extension"])).Status);
        Assert.Equal(new DateOnly(2026, 4, 30), (await kit.RequestAsync(request.Id)).ClaimDeadline);

        var claimed = await kit.PartnerClient.PostAsync(url, ClaimForm("3000", null, ("invoice.pdf", "application/pdf", Pdf)));
        Assert.Equal(HttpStatusCode.Created, claimed.StatusCode);
        await kit.AssertLedgerExactAsync();
    }
}
