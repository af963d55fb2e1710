using Tcma.Domain.Identity;
using Tcma.Domain.Partners;

namespace Tcma.UnitTests.Identity;

/// <summary>What every request through a partner portal session is held to.</summary>
public sealed class PartnerSessionRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly PartnerSessionPolicy Policy = new(TimeSpan.FromDays(7), TimeSpan.FromDays(30), TimeSpan.FromMinutes(5));
    private static readonly Partner Harbour = new("harbour", "Harbour IT", "Gold", "EMEA", "DE", [], [new("Dana", "Dana@Harbour.example", "Owner", true)], PartnerStatus.Active);

    private static PartnerSession Start(string? email = "dana@harbour.example") =>
        PartnerSessionRules.Start("s1", "northwind", "harbour", email, "signin", Now, Policy);

    [Fact]
    public void A_fresh_session_of_an_active_partner_listing_the_address_may_be_used()
    {
        var session = Start();
        Assert.Null(PartnerSessionRules.Refusal(session, Harbour, Now));
        Assert.Equal(Now.AddDays(7), session.IdleUntil);
        Assert.Equal(Now.AddDays(30), session.ExpiresAt);
    }

    [Fact]
    public void Every_reason_a_session_ends_is_refused_on_the_next_request()
    {
        var session = Start();
        Assert.Contains("ended", PartnerSessionRules.Refusal(null, Harbour, Now));
        Assert.Contains("unused", PartnerSessionRules.Refusal(session, Harbour, Now.AddDays(7)));
        Assert.Contains("its end", PartnerSessionRules.Refusal(session with { IdleUntil = Now.AddDays(40) }, Harbour, Now.AddDays(30)));
        Assert.Contains("no longer exists", PartnerSessionRules.Refusal(session, null, Now));
        Assert.Contains("no longer active", PartnerSessionRules.Refusal(session, Harbour with { Status = PartnerStatus.Inactive }, Now));
        Assert.Contains("no longer a contact", PartnerSessionRules.Refusal(session, Harbour with { Contacts = [new("Sam", "sam@harbour.example", "", true)] }, Now));
        // A link proves the partner, not a person: such a session outlives a change of contacts.
        Assert.Null(PartnerSessionRules.Refusal(Start(email: null), Harbour with { Contacts = [new("Sam", "sam@harbour.example", "", true)] }, Now));
    }

    [Fact]
    public void Use_slides_the_idle_end_but_never_past_the_hard_end_and_is_written_at_most_every_few_minutes()
    {
        var session = Start();
        Assert.Null(PartnerSessionRules.Touched(session, Now.AddMinutes(4), Policy));

        var touched = PartnerSessionRules.Touched(session, Now.AddDays(6), Policy)!;
        Assert.Equal(Now.AddDays(13), touched.IdleUntil);
        Assert.Null(PartnerSessionRules.Refusal(touched, Harbour, Now.AddDays(12)));

        var late = PartnerSessionRules.Touched(touched with { LastSeenAt = Now.AddDays(26) }, Now.AddDays(27), Policy)!;
        Assert.Equal(session.ExpiresAt, late.IdleUntil);
        Assert.NotNull(PartnerSessionRules.Refusal(late, Harbour, Now.AddDays(30)));
    }
}
