using System.Text.Json;
using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;
using static Tcma.UnitTests.Mdf.RequestScenario;
using static Tcma.UnitTests.Mdf.ClaimScenario;

namespace Tcma.UnitTests.Mdf;

/// <summary>States, entries and commands survive the trip through a table row or a queue message unchanged.</summary>
public sealed class MdfJsonTests
{
    private static T RoundTrip<T>(T value)
    {
        var json = MdfJson.Write(value);
        var back = MdfJson.Read<T>(json);
        Assert.Equal(json, MdfJson.Write(back));
        return back;
    }

    [Fact]
    public void Money_is_written_with_its_amount_as_text()
    {
        Assert.Equal("""{"amount":"1234.50","currency":"USD"}""", MdfJson.Write(Usd(1234.5m)));
        Assert.Equal(Money.Of(1200m, Currency.JPY), MdfJson.Read<Money>("""{"amount":"1200","currency":"JPY"}"""));
    }

    [Theory]
    [InlineData("""{"amount":"1.005","currency":"USD"}""")]
    [InlineData("""{"amount":"1","currency":"XXX"}""")]
    [InlineData("""{"amount":"1e3","currency":"USD"}""")]
    [InlineData("""{"amount":12.5,"currency":"USD"}""")]
    [InlineData("""12.5""")]
    public void Malformed_money_is_rejected_not_guessed(string json) =>
        Assert.ThrowsAny<JsonException>(() => MdfJson.Read<Money>(json));

    [Fact]
    public void A_request_a_claim_and_their_fund_continue_after_a_round_trip()
    {
        var r = new RequestScenario();
        var commands = new List<MdfCommand>();
        commands.AddRange(r.Submit(8_000m, activity: "events", cost: 16_000m).Commands);
        commands.AddRange(r.Approve(ChannelManager).Commands);
        commands.AddRange(r.Approve(Director, 7_000m).Commands);
        var c = new ClaimScenario(r);
        commands.AddRange(c.Submit(Submission(12_000m)).Commands);

        var request = RoundTrip(r.State);
        var claim = RoundTrip(c.State);
        var fund = RoundTrip(r.Fund);
        Assert.Equal(r.Fund.Figures, fund.Figures);
        Assert.Equal(r.Fund.ReservedByRequest.OrderBy(p => p.Key), fund.ReservedByRequest.OrderBy(p => p.Key));
        Assert.Equal(r.Fund.Claims.OrderBy(p => p.Key), fund.Claims.OrderBy(p => p.Key));
        Assert.Equal(r.State.History, request.History);
        Assert.Equal(Usd(7_000m), request.Amount);
        Assert.Equal(r.State.ClaimDeadline, request.ClaimDeadline);

        var restored = RoundTrip<IReadOnlyList<MdfCommand>>(commands);
        Assert.Equal(commands.Select(x => x.GetType()), restored.Select(x => x.GetType()));
        Assert.Equal(commands.OfType<AppendToLedger>().Select(x => x.Command), restored.OfType<AppendToLedger>().Select(x => x.Command));

        var approved = ClaimWorkflow.Apply(claim, new ApproveClaim(claim.Step, null, As(Finance)), c.Request.Clock);
        Assert.Equal(ClaimStatus.Approved, approved.State.Status);
        var payout = approved.Commands.OfType<CreatePayout>().Single().Payout;
        Assert.Equal(Usd(6_000m), RoundTrip(payout).Amount);
        Assert.False(FundLedger.Decide(fund, new PayClaim("claim-1", Usd(6_000m), "ERP-1", "fin-1", Now)).IsRefused);
    }

    [Fact]
    public void Events_round_trip_with_their_type()
    {
        FundRequestEvent e = new ApproveRequest(3, Usd(10m), new Actor("md-1", null, "198.51.100.9", "Mail app"));
        Assert.Equal(e, RoundTrip(e));
        ClaimEvent paid = new MarkClaimPaid("ERP-1", new Actor("fin-1"));
        Assert.Equal(paid, RoundTrip(paid));
    }
}
