using System.Net;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Identity;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>The partner's MDF page and its forms: figures that add up, problems said in words, answers and cancellations.</summary>
public sealed class MdfPartnerPageTests
{
    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) => new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));

    [Fact]
    public async Task The_forms_propose_answer_and_cancel_and_come_back_to_the_page_with_what_happened()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var client = kit.App.Anonymous();
        var t = Uri.EscapeDataString(kit.PartnerToken);

        var page = await client.GetStringAsync($"/partner/mdf?t={t}");
        Assert.Contains("USD 20,000.00", page);
        Assert.DoesNotContain("DOES NOT ADD UP", page);

        var refused = await client.PostAsync($"/partner/mdf/propose?t={t}", Form(("programId", "q1-2026"), ("activityTypeId", "events"), ("description", "Breakfast"),
            ("start", "2026-02-02"), ("end", "2026-02-03"), ("estimatedCost", "4000"), ("requested", "3000")));
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var problem = await client.GetStringAsync(refused.Headers.Location!.OriginalString);
        Assert.Contains("reimbursed at 50%", WebUtility.HtmlDecode(problem));
        Assert.Empty((await kit.OverviewAsync()).Requests);

        var proposed = await client.PostAsync($"/partner/mdf/propose?t={t}", Form(("programId", "q1-2026"), ("activityTypeId", "events"), ("description", "Breakfast"),
            ("start", "2026-02-02"), ("end", "2026-02-03"), ("estimatedCost", "4000"), ("requested", "2000"), ("idempotencyKey", "form-1")));
        Assert.Contains("done=", proposed.Headers.Location!.OriginalString);
        var request = Assert.Single((await kit.OverviewAsync()).Requests);

        var links = await kit.LinksAsync(kit.ChannelManager, request.Id);
        await kit.ConfirmAsync(links["Ask for information"], new() { ["text"] = "How many attendees?" });
        page = await client.GetStringAsync($"/partner/mdf?t={t}");
        Assert.Contains("How many attendees?", page);
        var answered = await client.PostAsync($"/partner/mdf/requests/{request.Id}/answer?t={t}", Form(("text", "Forty IT managers")));
        Assert.Contains("done=", answered.Headers.Location!.OriginalString);
        Assert.Equal(FundRequestStatus.PendingApproval, (await kit.RequestAsync(request.Id)).Status);

        var cancelled = await client.PostAsync($"/partner/mdf/requests/{request.Id}/cancel?t={t}", Form(("text", "Venue fell through")));
        Assert.Contains("done=", cancelled.Headers.Location!.OriginalString);
        page = await client.GetStringAsync($"/partner/mdf?t={t}");
        Assert.Contains("Cancelled", page);
        Assert.Contains("provided information: Forty IT managers", page);
        var figures = await kit.FiguresAsync();
        Assert.Equal((MdfTestKit.Usd(0m), MdfTestKit.Usd(20_000m)), (figures.Reserved, figures.Available));
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task A_launch_link_does_not_open_the_mdf_page_or_its_forms()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var client = kit.App.Anonymous();
        var launch = Uri.EscapeDataString(kit.App.PartnerLink(kit.Vendor, kit.Partner));
        var page = await client.GetStringAsync($"/partner/mdf?t={launch}");
        Assert.Contains("does not open MDF", page);
        Assert.DoesNotContain("USD 20,000.00", page);
        var posted = await client.PostAsync($"/partner/mdf/propose?t={launch}", Form(("programId", "q1-2026")));
        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
        Assert.Empty((await kit.OverviewAsync()).Requests);
    }
}
