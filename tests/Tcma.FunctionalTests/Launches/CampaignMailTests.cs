using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tcma.Domain.Identity;
using Tcma.Domain.Launches;
using Tcma.Email.Campaigns;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Identity;
using Tcma.Storage.Launches;

namespace Tcma.FunctionalTests.Launches;

public sealed class CampaignMailFixture : IAsyncLifetime
{
    public CampaignMailTestApp App { get; private set; } = null!;
    public async Task InitializeAsync() => App = await CampaignMailTestApp.StartAsync();
    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// The campaign mailer end to end: a CampaignEmail on the queue, the real queue function, real SMTP into maildev,
/// and the recipient's side: the headers and footer, unsubscribing (GET never acts, POST and one-click do), later sends
/// suppressed, tracked links that redirect with UTM and never anywhere else, and each send delivered once.
/// </summary>
public sealed class CampaignMailTests(CampaignMailFixture fixture) : IClassFixture<CampaignMailFixture>
{
    private CampaignMailTestApp App => fixture.App;

    private static string Header(ReceivedEmail email, string name) =>
        email.Headers.TryGetValue(name.ToLowerInvariant(), out var value)
            ? value.ValueKind == JsonValueKind.Array ? string.Join(", ", value.EnumerateArray().Select(v => v.ToString())) : value.ToString()
            : throw new Xunit.Sdk.XunitException($"no {name} header; headers: {string.Join(", ", email.Headers.Keys)}");

    private async Task<ReceivedEmail> SendAndReceiveAsync(CampaignEmail email)
    {
        await App.SendAsync(email);
        return (await App.Inbox.WaitForAsync(email.RecipientEmail)).Single();
    }

    [Fact]
    public async Task A_campaign_email_goes_from_the_partner_via_the_platform_with_reply_to_plain_text_footer_and_one_click_unsubscribe_headers()
    {
        var email = CampaignMailTestApp.Email();
        var received = await SendAndReceiveAsync(email);

        var from = Assert.Single(received.From);
        Assert.Equal("Contoso Systems via Tcma", from.Name);
        Assert.Equal("campaigns@send.tcma.test", from.Address);
        Assert.Contains("sales@contoso.example", Header(received, "Reply-To"));
        Assert.Equal("Back up your cloud in five minutes", received.Subject);

        var listUnsubscribe = Header(received, "List-Unsubscribe");
        Assert.Matches(@"^<https://mail\.tcma\.test/u/[A-Za-z0-9_\-\.]+>, <mailto:unsubscribe@send\.tcma\.test\?subject=unsubscribe>$", listUnsubscribe);
        Assert.Equal("List-Unsubscribe=One-Click", Header(received, "List-Unsubscribe-Post"));
        var options = App.Services.GetRequiredService<IOptionsMonitor<CampaignEmailOptions>>().CurrentValue;
        Assert.Contains(CampaignEmailComposer.MessageIdFor(email, options), Header(received, "Message-ID"));

        // Both parts: the partner's postal address and the recipient's own unsubscribe link, the placeholder filled.
        Assert.NotNull(received.Text);
        Assert.NotNull(received.Html);
        foreach (var body in new[] { received.Text!, received.Html! })
        {
            Assert.Contains("Hauptstrasse 1", body);
            Assert.Contains("10115 Berlin", body);
            Assert.DoesNotContain(CampaignEmail.UnsubscribePlaceholder, body);
            Assert.NotEmpty(CampaignMailTestApp.OurLinks(body, "/u/"));
        }
        Assert.Contains("Unsubscribe: https://mail.tcma.test/u/", received.Text);
        Assert.Contains("Hello Ana,", received.Text);

        var record = await App.WaitForStateAsync(email, CampaignSendState.Sent);
        Assert.Equal(1, record.Attempts);
    }

    [Fact]
    public async Task Unsubscribe_GET_only_asks_POST_and_one_click_suppress_and_every_later_send_of_that_partner_is_recorded_suppressed()
    {
        var first = CampaignMailTestApp.Email();
        var received = await SendAndReceiveAsync(first);
        var link = CampaignMailTestApp.OurLinks(received.Html!, "/u/")[0];
        var suppressions = App.Services.GetRequiredService<SuppressionList>();
        var client = App.Client();

        // A mail scanner follows every link: the GET shows a form and changes nothing, however often.
        for (var i = 0; i < 2; i++)
        {
            var page = await client.GetAsync(link);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("<form method=\"post\"", html);
            Assert.Contains("Contoso Systems", html);
        }
        Assert.False(await suppressions.IsSuppressedAsync(first.VendorId, first.PartnerId, first.RecipientEmail));

        // The mail client's one-click POST (RFC 8058), then the same again: one listing, the same answer.
        for (var i = 0; i < 2; i++)
        {
            var response = await client.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("You are unsubscribed", await response.Content.ReadAsStringAsync());
        }
        Assert.True(await suppressions.IsSuppressedAsync(first.VendorId, first.PartnerId, first.RecipientEmail.ToUpperInvariant()));

        // A later launch of the same partner, the address typed in another case: recorded Suppressed, never sent.
        var later = CampaignMailTestApp.Email(recipient: first.RecipientEmail.ToUpperInvariant(), partnerId: first.PartnerId);
        await App.SendAsync(later);
        await App.WaitForStateAsync(later, CampaignSendState.Suppressed);
        var summary = await App.Services.GetRequiredService<CampaignSendLog>().SummariseAsync(later.VendorId, later.LaunchId);
        Assert.Equal(1, summary.Count(CampaignSendState.Suppressed));

        // The list is the partner's: another partner the same person deals with still reaches them.
        var otherPartner = CampaignMailTestApp.Email(recipient: first.RecipientEmail, partnerId: "p-fabrikam");
        await App.SendAsync(otherPartner);
        await App.WaitForStateAsync(otherPartner, CampaignSendState.Sent);
        Assert.Equal(2, (await App.Inbox.ToAsync(first.RecipientEmail)).Count);
    }

    [Fact]
    public async Task The_unsubscribe_form_POST_suppresses_too()
    {
        var email = CampaignMailTestApp.Email();
        var received = await SendAndReceiveAsync(email);
        var link = CampaignMailTestApp.OurLinks(received.Text!, "/u/")[0];
        var response = await App.Client().PostAsync(link, new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(await App.Services.GetRequiredService<SuppressionList>().IsSuppressedAsync(email.VendorId, email.PartnerId, email.RecipientEmail));
    }

    [Fact]
    public async Task A_tampered_or_foreign_unsubscribe_token_gets_a_neutral_page_and_suppresses_nothing()
    {
        var email = CampaignMailTestApp.Email();
        var received = await SendAndReceiveAsync(email);
        var link = CampaignMailTestApp.OurLinks(received.Html!, "/u/")[0];
        var clickLink = CampaignMailTestApp.OurLinks(received.Html!, "/r/")[0];
        var tampered = Tamper(link);
        var client = App.Client();

        foreach (var bad in new[] { tampered, "/u/not-a-token", "/u/" + clickLink[3..], "/u/" + new string('a', 5000) })
        {
            var get = await client.GetAsync(bad);
            var post = await client.PostAsync(bad, new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
            foreach (var response in new[] { get, post })
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                var page = await response.Content.ReadAsStringAsync();
                Assert.Contains("This link is not valid", page);
                Assert.DoesNotContain(email.RecipientEmail, page);
            }
        }
        Assert.False(await App.Services.GetRequiredService<SuppressionList>().IsSuppressedAsync(email.VendorId, email.PartnerId, email.RecipientEmail));
    }

    /// <summary>Changes one character in the middle of the token's payload.</summary>
    private static string Tamper(string path)
    {
        var i = path.LastIndexOf('/') + 10;
        return path[..i] + (path[i] == 'A' ? 'B' : 'A') + path[(i + 1)..];
    }

    [Fact]
    public async Task Tracked_links_redirect_to_the_original_URL_with_UTM_parameters_and_record_the_click()
    {
        var email = CampaignMailTestApp.Email();
        var received = await SendAndReceiveAsync(email);
        var html = received.Html!;

        // The two web links are tracked; javascript: and data: are left alone, and never become redirects.
        var tracked = CampaignMailTestApp.OurLinks(html, "/r/");
        Assert.Equal(2, tracked.Count);
        Assert.DoesNotContain("northwind.example/backup", html);
        Assert.Contains("javascript:alert(1)", html);
        Assert.Contains("data:text/html,hi", html);

        var client = App.Client();
        var response = await client.GetAsync(tracked[0]);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(
            "https://northwind.example/backup?ref=kit&lang=de&utm_source=tcma&utm_medium=email&utm_campaign=Cloud%20Backup%20Autumn&utm_content=touch-1#pricing",
            response.Headers.Location!.OriginalString);

        // The plain-text part's links are tracked the same way.
        var textLinks = CampaignMailTestApp.OurLinks(received.Text!, "/r/");
        Assert.Equal(2, textLinks.Count);
        var fromText = await client.GetAsync(textLinks[1]);
        Assert.Equal("https://contoso.example/contact?utm_source=tcma&utm_medium=email&utm_campaign=Cloud%20Backup%20Autumn&utm_content=touch-1",
            fromText.Headers.Location!.OriginalString);

        var clicks = await App.Services.GetRequiredService<ClickTracking>().ClicksAsync(email.VendorId, email.LaunchId);
        Assert.Equal(2, clicks.Count);
        Assert.All(clicks, c => Assert.Equal((email.RecipientEmail, email.TouchId, email.SendId), (c.Recipient, c.TouchId, c.SendId)));
        Assert.Contains(clicks, c => c.Url == "https://northwind.example/backup?ref=kit&lang=de#pricing");
        Assert.All(clicks, c => Assert.Equal(App.Clock.GetUtcNow(), c.At));
    }

    [Fact]
    public async Task The_redirect_never_goes_anywhere_but_a_link_that_was_in_the_email()
    {
        var email = CampaignMailTestApp.Email();
        var received = await SendAndReceiveAsync(email);
        var link = CampaignMailTestApp.OurLinks(received.Html!, "/r/")[0];
        var unsubscribe = CampaignMailTestApp.OurLinks(received.Html!, "/u/")[0];
        var client = App.Client();

        // Query parameters are not read: the target is the stored one.
        foreach (var extra in new[] { "?url=https://evil.example/", "?u=https%3A%2F%2Fevil.example&next=//evil.example" })
        {
            var response = await client.GetAsync(link + extra);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("https://northwind.example/backup?", response.Headers.Location!.OriginalString);
        }

        // Signed by us, but naming a link the send never had, or the send under another vendor: nothing there.
        var tokens = App.Services.GetRequiredService<LinkTokens>();
        var noSuchIndex = "/r/" + tokens.Create(TrackedLinks.TokenPurpose, TrackedLinks.TokenSubject(email.SendId, 7), email.VendorId, TimeSpan.FromDays(1));
        var otherVendor = "/r/" + tokens.Create(TrackedLinks.TokenPurpose, TrackedLinks.TokenSubject(email.SendId, 0), "contoso-vendor", TimeSpan.FromDays(1));
        var wrongPurpose = "/r/" + unsubscribe[3..];
        var expired = "/r/" + tokens.Create(TrackedLinks.TokenPurpose, TrackedLinks.TokenSubject(email.SendId, 0), email.VendorId, TimeSpan.FromSeconds(-1));
        foreach (var bad in new[] { Tamper(link), noSuchIndex, otherVendor, wrongPurpose, expired, "/r/https:%2F%2Fevil.example", "/r/" + new string('x', 3000) })
        {
            var response = await client.GetAsync(bad);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(response.Headers.Location);
            Assert.Contains("This link is not valid", await response.Content.ReadAsStringAsync());
        }
        // Only the two real follows were recorded, both for the link that was in the email.
        var clicks = await App.Services.GetRequiredService<ClickTracking>().ClicksAsync(email.VendorId, email.LaunchId);
        Assert.Equal(2, clicks.Count);
        Assert.All(clicks, c => Assert.Equal("https://northwind.example/backup?ref=kit&lang=de#pricing", c.Url));
    }

    [Fact]
    public async Task A_message_delivered_again_and_again_sends_one_email()
    {
        var email = CampaignMailTestApp.Email();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => App.SendAsync(email)));
        await App.WaitForStateAsync(email, CampaignSendState.Sent);
        await App.SendAsync(email);
        await App.Inbox.WaitForAsync(email.RecipientEmail);
        // Let every copy be taken and settled (the lease holder's rivals come back once its lease would end).
        await WaitForQueueEmptyAsync();
        Assert.Single(await App.Inbox.ToAsync(email.RecipientEmail));
        Assert.Equal(1, (await App.RecordAsync(email))!.Attempts);
    }

    [Fact]
    public async Task After_a_crash_between_SMTP_and_the_record_the_email_goes_again_with_the_same_Message_ID_only_once_the_lease_ran_out()
    {
        var log = App.Services.GetRequiredService<CampaignSendLog>();
        var email = CampaignMailTestApp.Email();
        var now = App.Clock.GetUtcNow();
        // What a process that died mid-send leaves: "Sending" with a lease two minutes long.
        var crashed = new CampaignSendRecord(email.VendorId, email.PartnerId, email.LaunchId, email.TouchId, email.SendId, email.RecipientEmail,
            email.FromName, CampaignSendState.Sending, 1, now) { LeaseUntil = now + TimeSpan.FromMinutes(2) };
        Assert.NotNull(await log.TryWriteAsync(crashed, default));

        await App.SendAsync(email);
        // While the lease may still be someone's live attempt, nothing goes.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty(await App.Inbox.ToAsync(email.RecipientEmail));
        Assert.Equal(CampaignSendState.Sending, (await App.RecordAsync(email))!.State);

        App.Clock.Advance(TimeSpan.FromMinutes(3));
        var received = (await App.Inbox.WaitForAsync(email.RecipientEmail)).Single();
        var record = await App.WaitForStateAsync(email, CampaignSendState.Sent);
        Assert.Equal(2, record.Attempts);
        var options = App.Services.GetRequiredService<IOptionsMonitor<CampaignEmailOptions>>().CurrentValue;
        Assert.Contains(CampaignEmailComposer.MessageIdFor(email, options), Header(received, "Message-ID"));
    }

    [Fact]
    public async Task A_paused_launch_records_its_emails_as_stopped_and_sends_none()
    {
        var email = CampaignMailTestApp.Email();
        App.Gate.Stop(email.LaunchId);
        await App.SendAsync(email);
        await App.WaitForStateAsync(email, CampaignSendState.Stopped);
        var summary = await App.Services.GetRequiredService<CampaignSendLog>().SummariseAsync(email.VendorId, email.LaunchId);
        Assert.Equal(1, summary.Count(CampaignSendState.Stopped));
        Assert.Empty(await App.Inbox.ToAsync(email.RecipientEmail));
    }

    [Fact]
    public async Task An_email_that_can_never_be_sent_is_recorded_failed_with_the_reason()
    {
        var email = CampaignMailTestApp.Email() with { RecipientEmail = "not an address", PostalAddress = "" };
        await App.SendAsync(email);
        var record = await App.WaitForStateAsync(email, CampaignSendState.Failed);
        Assert.Contains("RecipientEmail", record.LastError);
        Assert.Contains("PostalAddress", record.LastError);
        var summary = await App.Services.GetRequiredService<CampaignSendLog>().SummariseAsync(email.VendorId, email.LaunchId);
        var failure = Assert.Single(summary.Failures);
        Assert.Equal(email.SendId, failure.SendId);
    }

    [Fact]
    public async Task Malformed_messages_go_to_the_poison_queue()
    {
        var queue = new QueueClient(App.StorageConnectionString, $"{App.StoragePrefix}-{CampaignEmail.Queue}", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var poison = new QueueClient(App.StorageConnectionString, $"{App.StoragePrefix}-{CampaignEmail.Queue}-poison");
        var noSendId = JsonSerializer.Serialize(CampaignMailTestApp.Email() with { SendId = "" });
        await queue.SendMessageAsync("{\"VendorId\": \"northwind\", ");
        await queue.SendMessageAsync(noSendId);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        var bodies = new List<string>();
        while (bodies.Count < 2 && DateTime.UtcNow < deadline)
        {
            await poison.CreateIfNotExistsAsync();
            bodies = (await poison.PeekMessagesAsync(32)).Value.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString()))).ToList();
            await Task.Delay(200);
        }
        Assert.Contains("{\"VendorId\": \"northwind\", ", bodies);
        Assert.Contains(noSendId, bodies);
    }

    private async Task WaitForQueueEmptyAsync()
    {
        var queue = new QueueClient(App.StorageConnectionString, $"{App.StoragePrefix}-{CampaignEmail.Queue}");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var properties = await queue.GetPropertiesAsync();
            if (properties.Value.ApproximateMessagesCount == 0) return;
            await Task.Delay(200);
        }
        throw new TimeoutException("campaign-emails never drained");
    }
}
