using Tcma.Domain.Launches;

namespace Tcma.UnitTests.Launches;

public sealed class CampaignMailTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private static CampaignSendRecord Record(CampaignSendState state, DateTimeOffset? leaseUntil = null) =>
        new("v", "p", "L", "t", "s", "a@x.example", "Contoso", state, 1, Now) { LeaseUntil = leaseUntil };

    [Fact]
    public void A_settled_send_is_never_attempted_again()
    {
        foreach (var state in new[] { CampaignSendState.Sent, CampaignSendState.Suppressed, CampaignSendState.Failed })
            Assert.Equal(new CampaignSendStep.AlreadyDone(state), CampaignRetryPolicy.Default.Next(Record(state), Now));
        // A stopped send asks the gate again when it is delivered again: a resumed launch still sends it.
        Assert.Equal(new CampaignSendStep.Attempt(false), CampaignRetryPolicy.Default.Next(Record(CampaignSendState.Stopped), Now));
        Assert.Equal(new CampaignSendStep.Attempt(false), CampaignRetryPolicy.Default.Next(null, Now));
    }

    [Fact]
    public void A_live_lease_makes_a_rival_look_again_later_and_an_ended_one_is_taken_over_as_maybe_sent()
    {
        var policy = CampaignRetryPolicy.Default;
        Assert.Equal(new CampaignSendStep.ComeBackLater(TimeSpan.FromSeconds(5)), policy.Next(Record(CampaignSendState.Sending, Now.AddSeconds(5)), Now));
        Assert.Equal(new CampaignSendStep.ComeBackLater(policy.RecheckAfter), policy.Next(Record(CampaignSendState.Sending, Now.AddMinutes(2)), Now));
        Assert.Equal(new CampaignSendStep.Attempt(true), policy.Next(Record(CampaignSendState.Sending, Now), Now));
    }

    [Fact]
    public void A_retry_goes_when_it_is_due_and_an_early_copy_waits_for_it()
    {
        var policy = CampaignRetryPolicy.Default;
        Assert.Equal(new CampaignSendStep.ComeBackLater(TimeSpan.FromMinutes(4)), policy.Next(Record(CampaignSendState.Retrying, Now.AddMinutes(4)), Now));
        Assert.Equal(new CampaignSendStep.Attempt(false), policy.Next(Record(CampaignSendState.Retrying, Now), Now));
    }

    [Fact]
    public void Retries_back_off_and_give_up_only_after_more_than_an_hour()
    {
        var policy = CampaignRetryPolicy.Default;
        Assert.Equal([30, 60, 120, 240, 480, 600, 600], Enumerable.Range(1, 7).Select(n => (int)policy.DelayAfter(n).TotalSeconds));
        Assert.False(policy.ShouldGiveUp(Now, Now.AddMinutes(61)));
        Assert.True(policy.ShouldGiveUp(Now, Now + policy.GiveUpAfter));
        Assert.True(policy.GiveUpAfter > TimeSpan.FromHours(1));
    }

    [Fact]
    public void A_bucket_sends_its_burst_at_once_and_books_the_rest_one_slot_apart()
    {
        var rates = new CampaignRates(PerSecond: 100, PerPartnerPerSecond: 2);
        var overall = TokenBucket.Full(rates.Burst, Now);
        var partner = TokenBucket.Full(rates.PartnerBurst, Now);
        var waits = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            (overall, partner, var wait) = CampaignThrottle.Book(overall, partner, rates, Now);
            waits.Add(wait.TotalSeconds);
        }
        Assert.Equal([0, 0, 0.5, 1.0, 1.5], waits);

        // Two seconds later the bookings are used up and the bucket is back to a free slot.
        (_, _, var later) = CampaignThrottle.Book(overall, partner, rates, Now.AddSeconds(2));
        Assert.Equal(TimeSpan.Zero, later);
    }

    [Fact]
    public void The_overall_bucket_holds_across_partners()
    {
        var rates = new CampaignRates(PerSecond: 2, PerPartnerPerSecond: 100);
        var overall = TokenBucket.Full(rates.Burst, Now);
        var waits = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            (overall, _, var wait) = CampaignThrottle.Book(overall, TokenBucket.Full(rates.PartnerBurst, Now), rates, Now);
            waits.Add(wait.TotalSeconds);
        }
        Assert.Equal([0, 0, 0.5], waits);
    }

    [Fact]
    public void The_footer_carries_the_postal_address_and_the_unsubscribe_link_in_both_parts_and_fills_the_placeholder()
    {
        var (html, text) = CampaignContent.Finish(
            $"<html><body><p>Hi</p><a href=\"{CampaignEmail.UnsubscribePlaceholder}\">out</a></body></html>",
            $"Hi\nOut: {CampaignEmail.UnsubscribePlaceholder}\n",
            "Contoso <Systems>", "Contoso GmbH, Hauptstrasse 1, 10115 Berlin", "https://app.example/u/T?x=1&y=2");

        Assert.DoesNotContain(CampaignEmail.UnsubscribePlaceholder, html + text);
        Assert.Contains("href=\"https://app.example/u/T?x=1&amp;y=2\"", html);
        Assert.Contains("Contoso &lt;Systems&gt;<br>Contoso GmbH<br>Hauptstrasse 1<br>10115 Berlin", html);
        Assert.EndsWith("</body></html>", html);
        Assert.Contains("Contoso GmbH\nHauptstrasse 1\n10115 Berlin\n", text);
        Assert.EndsWith("Unsubscribe: https://app.example/u/T?x=1&y=2\n", text);
    }

    [Fact]
    public void What_can_never_be_sent_is_named()
    {
        var good = new CampaignEmail("v", "p", "L", "t", "s", "ana@customer.example", "Ana", "Contoso", "sales@contoso.example",
            "Contoso GmbH, Berlin", "Subject", "<p>x</p>", "x", "Campaign");
        Assert.Empty(CampaignContent.Problems(good));
        var problems = CampaignContent.Problems(good with { RecipientEmail = "ana", Subject = "a\r\nBcc: x@y.example", PostalAddress = " " });
        Assert.Equal(3, problems.Count);
    }
}

public sealed class CampaignMailSmtpFailureTests
{
    [Fact]
    public void A_refused_mailbox_is_final_and_a_hard_bounce_while_outages_and_4xx_are_retried()
    {
        var noSuchMailbox = new MailKit.Net.Smtp.SmtpCommandException(MailKit.Net.Smtp.SmtpErrorCode.RecipientNotAccepted,
            MailKit.Net.Smtp.SmtpStatusCode.MailboxUnavailable, new MimeKit.MailboxAddress("", "gone@x.example"), "550 no such user");
        Assert.True(Tcma.Functions.Launches.CampaignMailer.IsPermanent(noSuchMailbox, out var bounce));
        Assert.True(bounce);

        var contentRefused = new MailKit.Net.Smtp.SmtpCommandException(MailKit.Net.Smtp.SmtpErrorCode.MessageNotAccepted,
            MailKit.Net.Smtp.SmtpStatusCode.TransactionFailed, "554 rejected");
        Assert.True(Tcma.Functions.Launches.CampaignMailer.IsPermanent(contentRefused, out bounce));
        Assert.False(bounce);

        var greylisted = new MailKit.Net.Smtp.SmtpCommandException(MailKit.Net.Smtp.SmtpErrorCode.RecipientNotAccepted,
            MailKit.Net.Smtp.SmtpStatusCode.MailboxBusy, new MimeKit.MailboxAddress("", "a@x.example"), "450 try later");
        Assert.False(Tcma.Functions.Launches.CampaignMailer.IsPermanent(greylisted, out _));
        Assert.False(Tcma.Functions.Launches.CampaignMailer.IsPermanent(new System.Net.Sockets.SocketException(111), out _));
        Assert.False(Tcma.Functions.Launches.CampaignMailer.IsPermanent(new TimeoutException(), out _));
        Assert.False(Tcma.Functions.Launches.CampaignMailer.IsPermanent(new MailKit.Net.Smtp.SmtpProtocolException("connection dropped"), out _));
    }
}
