using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;
using static Tcma.UnitTests.Mdf.RequestScenario;

namespace Tcma.UnitTests.Mdf;

/// <summary>
/// Many requests and claims against one fund, driven by random people, clicks, duplicates and timers in random
/// order (fixed seed). Submissions decide on a stale view of the fund, as concurrent ones do, so the ledger has to
/// turn some down. After every step the workflows and the ledger agree to the cent and the fund adds up.
/// </summary>
public sealed class MdfRandomJourneyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Journeys = 150;
    private const int Steps = 250;
    private const int Requests = 10;

    private sealed class World
    {
        public FundBalance Fund = FundWith(60_000m);
        public FundBalance StaleFund = FundWith(60_000m);
        public readonly FundRequestState[] Requests = Enumerable.Range(0, MdfRandomJourneyTests.Requests).Select(i => FundRequestState.New($"req-{i}", "partner-7", FundId)).ToArray();
        public readonly Dictionary<string, ClaimState> Claims = [];
        public DateTimeOffset Clock = Now;
        public int NotFunded;

        public void Ledger(IEnumerable<MdfCommand> commands, Action<Refusal> onReservationRefused)
        {
            foreach (var ledger in commands.OfType<AppendToLedger>())
            {
                var decision = FundLedger.Decide(Fund, ledger.Command);
                if (decision.IsRefused)
                {
                    Assert.IsType<ReserveFunds>(ledger.Command);
                    onReservationRefused(decision.Refusal!);
                    return;
                }
                Fund = decision.ApplyTo(Fund);
            }
        }
    }

    [Fact]
    public void Workflows_and_ledger_agree_to_the_cent_whatever_happens()
    {
        var random = new Random(7);
        var outcomes = new Dictionary<string, int>();
        for (var j = 0; j < Journeys; j++)
        {
            var w = new World();
            for (var s = 0; s < Steps; s++)
            {
                if (random.Next(5) == 0) w.StaleFund = w.Fund;
                w.Clock = w.Clock.AddHours(random.Next(0, 30));
                var i = random.Next(Requests);
                if (w.Requests[i].Status is FundRequestStatus.Claimed && random.Next(2) == 0) StepClaim(w, random, $"claim-{i}", i);
                else StepRequest(w, random, i);
                AssertAgreement(w);
            }
            foreach (var r in w.Requests) outcomes[r.Status.ToString()] = outcomes.GetValueOrDefault(r.Status.ToString()) + 1;
            foreach (var c in w.Claims.Values) outcomes["claim " + c.Status] = outcomes.GetValueOrDefault("claim " + c.Status) + 1;
            outcomes["not funded by the ledger"] = outcomes.GetValueOrDefault("not funded by the ledger") + w.NotFunded;
        }
        output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
        // The walk must reach every ending, or it proves less than it claims.
        foreach (var end in new[] { "Approved", "Claimed", "Rejected", "Cancelled", "Expired", "NotFunded", "claim Paid", "claim Rejected", "claim Approved", "not funded by the ledger" })
            Assert.True(outcomes.GetValueOrDefault(end) > 0, $"no journey ended {end}: {string.Join(", ", outcomes)}");
    }

    private static void StepRequest(World w, Random r, int i)
    {
        var s = w.Requests[i];
        var approvers = new[] { ChannelManager, ChannelManagerBackup, Director, DirectorBackup, Finance, FinanceBackup };
        var someone = As(approvers[r.Next(approvers.Length)]);
        var right = s.Approval is null ? someone : As(r.Next(6) == 0 ? s.Approval.Current.Backup : s.Approval.Current.Approver);
        var step = r.Next(8) == 0 ? Math.Max(0, s.Step - 1) : s.Step;
        FundRequestEvent e = r.Next(14) switch
        {
            0 or 1 or 2 => new SubmitRequest(Proposal(Cents(r, 1, 3_000_000), r.Next(2) == 0 ? "digital" : "events", Cents(r, 1, 6_000_000)) with { Start = Days.Of(w.Clock).AddDays(14 + r.Next(10)), End = Days.Of(w.Clock).AddDays(25 + r.Next(5)) }, Q1, w.StaleFund, Partner),
            3 or 4 or 5 => new ApproveRequest(step, r.Next(3) == 0 && s.Amount is not null ? Usd(Math.Round(s.Amount.Amount * (decimal)r.NextDouble() * 1.1m, 2)) : null, r.Next(4) == 0 ? someone : right),
            6 => new RejectRequest(step, "not this quarter", right),
            7 => new AskForInformation(step, "which venue?", right),
            8 => new ProvideInformation("the Hilton", r.Next(5) == 0 ? OtherPartner : Partner),
            9 => new CancelRequest("plans changed", Partner),
            10 => new RequestEscalationDue(s.Step, Actor.System("timer")),
            11 => new RequestReminderDue(s.Step, Actor.System("timer")),
            12 => new RequestExpiryDue(Actor.System("timer")),
            _ => new ApproveRequest(s.Step, null, right),
        };
        if (e is RequestExpiryDue && s.Proposal is not null && r.Next(2) == 0) w.Clock = Days.StartOf(s.Proposal.Start);
        var t = FundRequestWorkflow.Apply(s, e, w.Clock);
        if (t.IsRefused || t.IsNoOp) { Assert.Empty(t.Commands); return; }
        w.Requests[i] = t.State;
        w.Ledger(t.Commands, refusal =>
        {
            w.NotFunded++;
            var failed = FundRequestWorkflow.Apply(w.Requests[i], new ReservationFailed(refusal, Actor.System("ledger")), w.Clock);
            Assert.Empty(failed.Commands.OfType<AppendToLedger>());
            w.Requests[i] = failed.State;
        });
        if (t.State.Status == FundRequestStatus.Approved && r.Next(2) == 0)
        {
            w.Clock = Days.StartOf(t.State.Proposal!.End).AddHours(1);
            var claim = ClaimState.New($"claim-{i}", "partner-7");
            var submitted = ClaimWorkflow.Apply(claim, new SubmitClaim(new ClaimSubmission(Usd(Cents(r, 1, 8_000_000)), null, [ClaimScenario.Invoice], 3, Usd(0m), ""), t.State, Partner), w.Clock);
            if (submitted.IsRefused) return;
            w.Claims[claim.ClaimId] = submitted.State;
            w.Ledger(submitted.Commands, _ => Assert.Fail("a claim conversion was refused"));
            foreach (var record in submitted.Commands.OfType<RecordClaimOnRequest>())
                w.Requests[i] = FundRequestWorkflow.Apply(w.Requests[i], new ClaimSubmitted(record.ClaimId, Actor.System("claim")), w.Clock).State;
        }
    }

    private static void StepClaim(World w, Random r, string claimId, int i)
    {
        var c = w.Claims[claimId];
        var right = As(r.Next(6) == 0 ? c.Approval!.Current.Backup : c.Approval!.Current.Approver);
        ClaimEvent e = r.Next(6) switch
        {
            0 or 1 => new ApproveClaim(c.Step, r.Next(2) == 0 ? Usd(Math.Round(c.Amount!.Amount * (decimal)r.NextDouble(), 2)) : null, right),
            2 => new RejectClaim(c.Step, "no proof of attendance", right),
            3 => new ClaimEscalationDue(c.Step, Actor.System("timer")),
            _ => new MarkClaimPaid($"ERP-{i}", As(Finance)),
        };
        var t = ClaimWorkflow.Apply(c, e, w.Clock);
        if (t.IsRefused || t.IsNoOp) { Assert.Empty(t.Commands); return; }
        w.Claims[claimId] = t.State;
        w.Ledger(t.Commands, _ => Assert.Fail("a claim decision was refused by the ledger"));
    }

    private static void AssertAgreement(World w)
    {
        var f = w.Fund;
        Assert.True(f.Available >= Usd(0m), FundLedger.Explain(f));
        Assert.Equal(f.Figures.TotalIn, f.Figures.TotalAccountedFor);
        foreach (var s in w.Requests)
        {
            var expected = s.Status is FundRequestStatus.PendingApproval or FundRequestStatus.InformationRequested or FundRequestStatus.Approved ? s.Amount! : Usd(0m);
            Assert.Equal(expected, f.ReservedFor(s.RequestId));
        }
        foreach (var c in w.Claims.Values)
        {
            var held = f.Claims[c.ClaimId];
            Assert.Equal(c.Status is ClaimStatus.PendingApproval or ClaimStatus.Approved ? c.Amount! : Usd(0m), held.Outstanding);
            Assert.Equal(c.Status == ClaimStatus.Paid, held.Paid);
        }
        var paid = w.Claims.Values.Where(c => c.Status == ClaimStatus.Paid).Aggregate(Usd(0m), (t, c) => t + c.Amount!);
        Assert.Equal(paid, f.Paid);
    }

    private static decimal Cents(Random r, int min, int max) => r.Next(min, max) / 100m;
}
