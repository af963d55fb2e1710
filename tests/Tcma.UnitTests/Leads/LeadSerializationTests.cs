using System.Text;
using System.Text.Json;
using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

/// <summary>The records are stored in table rows and queue messages by the wiring, with the default serializer.</summary>
public sealed class LeadSerializationTests
{
    private static void RoundTrips<T>(T value)
    {
        var json = JsonSerializer.Serialize(value);
        Assert.Equal(json, JsonSerializer.Serialize(JsonSerializer.Deserialize<T>(json)));
    }

    [Fact]
    public void A_lead_with_its_source_status_and_activities_survives_json()
    {
        var lead = Lead() with { Status = new LeadStatus.Won(10m, "EUR"), PartnerId = "partner-a" };
        RoundTrips(lead);
        var back = JsonSerializer.Deserialize<Lead>(JsonSerializer.Serialize(lead))!;
        Assert.Equal(new LeadSource.LandingPage("partner-a", "launch-1", "kit-1"), back.Source);
        Assert.Equal(new LeadStatus.Won(10m, "EUR"), back.Status);
    }

    [Fact]
    public void The_sla_state_and_every_event_and_command_survive_json()
    {
        var step = LeadSla.Apply(LeadRoutingState.Start("lead-1"), new LeadEvent.Assigned("partner-a"), Now);
        RoundTrips(step.State);
        LeadEvent[] events =
        [
            new LeadEvent.Assigned("p"), new LeadEvent.Accepted("p", "u"), new LeadEvent.Rejected("p", "r"), new LeadEvent.SlaReminderDue(1, 0),
            new LeadEvent.SlaExpired(1), new LeadEvent.Recalled("u", "r"), new LeadEvent.NoPartnerFound("r"),
        ];
        foreach (var e in events)
            Assert.Equal(e, JsonSerializer.Deserialize<LeadEvent>(JsonSerializer.Serialize(e)));
        foreach (var c in step.Commands.Append(new LeadCommand.Reroute(["a"])).Append(new LeadCommand.MoveToVendorPool("r")).Append(new LeadCommand.CancelTimer("t")))
            RoundTrips(c);
    }

    [Fact]
    public void The_round_robin_state_survives_json()
    {
        var (_, state) = RoundRobin.Pick([new RoutingPartner { PartnerId = "a", Name = "A", Weight = 2 }, new RoutingPartner { PartnerId = "b", Name = "B" }], RoundRobinState.Empty);
        var back = JsonSerializer.Deserialize<RoundRobinState>(JsonSerializer.Serialize(state))!;
        Assert.Equal(state.Credit.OrderBy(kv => kv.Key), back.Credit.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void The_largest_valid_submission_fits_one_queue_message_even_fully_escaped()
    {
        // '<' is written as \u003C (6 bytes) by the default encoder: the worst case per character.
        var limits = new SubmissionLimits();
        string Worst(int n) => new('<', n);
        var submission = Valid(Submission() with
        {
            Email = new string('a', 64) + "@" + new string('b', 63) + "." + new string('c', 63) + "." + new string('d', 61),
            FirstName = Worst(limits.Name),
            LastName = Worst(limits.Name),
            Company = Worst(limits.Company),
            JobTitle = Worst(limits.JobTitle),
            Region = Worst(limits.Region),
            PostalCode = Worst(limits.PostalCode),
            CompanySize = Worst(limits.CompanySize),
            ProductInterest = Worst(limits.ProductInterest),
            ConsentText = Worst(limits.ConsentText),
            SourcePage = Worst(limits.SourcePage),
            Phone = "+49 30 1234567",
        });
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(submission)));
        Assert.InRange(base64.Length, 40_000, 64 * 1024);
    }
}
