using Tcma.Functions.Hosting;
using Tcma.Domain.Leads;
using Tcma.Storage.Leads;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Leads;

/// <summary>
/// The demo's leads (Development only, vendor <c>demo</c> of <c>./tcma run</c>): customers captured over the last two
/// weeks, recorded and routed to the demo partners by the lead services, then accepted, rejected and re-routed, left to
/// lapse, won and lost as partners would, so the console's lead list and each lead's routing trail show real records.
/// </summary>
/// <remarks>
/// As for the demo's MDF, the services are built a second time on a clock set back to each step's moment (never later
/// than now), so an acceptance takes the hours it took. What follows a step on the workflow's own timers and queues (the
/// offer emails, a lapse when a 48-hour SLA ran out, the next partner's offer) runs on the real clock like any other.
/// Every step is idempotent: submission ids are stable (the lead store records each once), and an answer is given only
/// while the lead waits at the hop the story expects, so a restart finishes what is missing and repeats nothing.
/// </remarks>
public sealed class LeadDemo(IServiceProvider services, LeadStore leads, TimeProvider clock, ILogger<LeadDemo> logger)
{
    /// <summary>What the first partner offered the lead does, and after how many hours; then, for an accepted lead, its outcome.</summary>
    private enum FirstAnswer { Accept, Reject, None }

    private sealed record Story(string First, string Last, string Company, string Domain, string Country, string Product, double DaysAgo,
        FirstAnswer Answer = FirstAnswer.None, double AfterHours = 0, string? RejectReason = null, decimal? WonAmount = null, string? LostReason = null, double OutcomeDays = 0);

    // Countries where the demo's partners are (campaign-templates/demo-partners.csv), so each lead finds partners in its
    // territory; Tailspin and Litware have a second partner there to move on to.
    private static readonly Story[] Stories =
    [
        new("Ana", "Silva", "Contoso GmbH", "contoso.example", "DE", "Cloud backup", 12, FirstAnswer.Accept, 1.5, WonAmount: 15_000m, OutcomeDays: 6),
        new("Liam", "Walsh", "Fabrikam Ltd", "fabrikam.example", "GB", "Firewall", 10, FirstAnswer.Accept, 3, LostReason: "stayed with their current provider", OutcomeDays: 5),
        new("Sofia", "Moreau", "Northwind SARL", "northwind.example", "FR", "Endpoint security", 8, FirstAnswer.Accept, 20),
        new("Noah", "Becker", "Tailspin AG", "tailspin.example", "DE", "Cloud backup", 6, FirstAnswer.Reject, 2, RejectReason: "we do not sell to their industry"),
        new("Lucas", "Jansen", "Adatum BV", "adatum.example", "NL", "Cloud backup", 5, FirstAnswer.Accept, 0.5, WonAmount: 42_500m, OutcomeDays: 3),
        new("Chloe", "Tremblay", "Alpine Ski House", "alpineskihouse.example", "CA", "Firewall", 4, FirstAnswer.Accept, 6),
        new("Emma", "Dubois", "Litware SA", "litware.example", "FR", "Firewall", 2.2),
        new("Mia", "Novak", "Proseware Inc", "proseware.example", "US", "Endpoint security", 5.0 / 24),
        new("Oliver", "Berg", "Woodgrove Ltd", "woodgrove.example", "GB", "Cloud backup", 1.0 / 24),
    ];

    public static string SubmissionId(int index) => $"demo-lead-{index + 1}";

    public async Task SeedAsync(string vendorId, CancellationToken ct)
    {
        var realNow = clock.GetUtcNow();
        var steps = new StepClock(realNow);
        var engine = ActivatorUtilities.CreateInstance<WorkflowEngine>(services, (TimeProvider)steps);
        var routing = ActivatorUtilities.CreateInstance<LeadRoutingService>(services, engine, (TimeProvider)steps);
        bool At(DateTimeOffset moment) { if (moment > realNow) return false; steps.Now = moment; return true; }

        for (var i = 0; i < Stories.Length; i++)
        {
            var story = Stories[i];
            var captured = realNow - TimeSpan.FromDays(story.DaysAgo);
            var leadId = LeadStore.LeadId(vendorId, SubmissionId(i));
            if (await routing.GetAsync(vendorId, leadId, ct) is not { State.Started: true })
            {
                steps.Now = captured;
                var submission = new LeadSubmission
                {
                    SubmissionId = SubmissionId(i), VendorId = vendorId, Source = new LeadSource.Api("demo"), ReceivedAt = captured,
                    Email = $"{story.First.ToLowerInvariant()}.{story.Last.ToLowerInvariant()}@{story.Domain}", FirstName = story.First, LastName = story.Last,
                    Company = story.Company, JobTitle = "IT manager", Country = story.Country, ProductInterest = story.Product, CompanySize = "50-249",
                    ConsentText = "I agree to be contacted about this offer.",
                };
                if (SubmissionValidation.Check(submission) is not SubmissionCheck.Valid valid)
                    throw new InvalidOperationException($"The demo lead {SubmissionId(i)} is not a valid submission.");
                var (_, lead) = await leads.RecordAsync(valid.Submission, captured, Deduplication.DefaultWindow, ct);
                await routing.StartAndRouteAsync(lead, ct);
            }

            if (story.Answer == FirstAnswer.None || await routing.GetAsync(vendorId, leadId, ct) is not { } current) continue;
            var state = current.State;
            var offered = state.Routing.Offers.FirstOrDefault()?.OfferedAt ?? captured;
            if (state.Routing is { Phase: RoutingPhase.AwaitingAcceptance, Hop: 1, Holder: { } holder } && At(offered + TimeSpan.FromHours(story.AfterHours)))
                await routing.AnswerFromInboxAsync(vendorId, holder, leadId, story.Answer == FirstAnswer.Accept, story.RejectReason, ct);

            if (story.Answer == FirstAnswer.Reject)
            {
                // The next partner's offer is routed from the queue on the real clock; it accepts as soon as it has it.
                var next = await WaitAsync(routing, vendorId, leadId, s => s.Routing.Phase is not (RoutingPhase.Rerouting or RoutingPhase.Unrouted) && (s.Routing.Hop >= 2 || s.Routing.Phase != RoutingPhase.AwaitingAcceptance), ct);
                if (next?.Routing is { Phase: RoutingPhase.AwaitingAcceptance, Hop: 2, Holder: { } second })
                {
                    steps.Now = clock.GetUtcNow();
                    await routing.AnswerFromInboxAsync(vendorId, second, leadId, true, null, ct);
                }
                continue;
            }

            if (await routing.GetAsync(vendorId, leadId, ct) is not { State: { Status: LeadStatus.Accepted, PartnerId: { } owner } }) continue;
            var outcomeAt = offered + TimeSpan.FromHours(story.AfterHours) + TimeSpan.FromDays(story.OutcomeDays);
            if (story.WonAmount is { } amount && At(outcomeAt))
                await routing.ProgressAsync(vendorId, owner, leadId, new LeadStatus.Won(amount, "USD"), ct);
            else if (story.LostReason is { } reason && At(outcomeAt))
                await routing.ProgressAsync(vendorId, owner, leadId, new LeadStatus.Lost(reason), ct);
        }

        var statuses = new List<string>();
        for (var i = 0; i < Stories.Length; i++)
            if (await routing.GetAsync(vendorId, LeadStore.LeadId(vendorId, SubmissionId(i)), ct) is { } s) statuses.Add(s.State.Status.ToString());
        logger.LogInformation("Demo leads for {Vendor}: {Count} ({Statuses})", vendorId, statuses.Count,
            string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Count()} {g.Key.ToLowerInvariant()}")));
    }

    private static async Task<LeadWorkflowState?> WaitAsync(LeadRoutingService routing, string vendorId, string leadId, Func<LeadWorkflowState, bool> done, CancellationToken ct)
    {
        // At start-up the queues are busy with the rest of the demo: up to a minute.
        for (var i = 0; i < 600; i++)
        {
            if (await routing.GetAsync(vendorId, leadId, ct) is { } s && done(s.State)) return s.State;
            await Task.Delay(100, ct);
        }
        return null;
    }
}
