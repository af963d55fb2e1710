using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Workflows;
using Tcma.Email;
using Tcma.FunctionalTests.Workflows;
using Tcma.Storage.Workflows;

namespace Tcma.FunctionalTests.Email;

/// <summary>Real SMTP to maildev; the raw source is read back to check what a mail client will see.</summary>
public sealed class SmtpEmailTests
{
    private static string Unique(string who) => $"{who}-{Guid.NewGuid():N}@example.test";

    [Fact]
    public async Task A_message_arrives_with_its_headers_and_both_parts()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var to = Unique("partner");
        var message = new EmailMessage(to, "Your kit is ready: Spring Launch", "Plain words for plain readers.", "<p>Rich <b>words</b></p>")
        {
            ToName = "Pat Partner",
            FromName = "Acme via Tcma",
            ReplyTo = "channel-manager@acme.test",
            Headers = new Dictionary<string, string>
            {
                ["List-Unsubscribe"] = "<https://tcma.test/u/abc>",
                ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
            },
            MessageId = "kit-ready-1@tcma.local",
        };

        await h.Services.GetRequiredService<IEmailSender>().SendAsync(message);

        var received = Assert.Single(await h.Inbox.WaitForAsync(to));
        Assert.Equal("Your kit is ready: Spring Launch", received.Subject);
        Assert.Equal(("no-reply@tcma.local", "Acme via Tcma"), (received.From[0].Address, received.From[0].Name));
        Assert.Contains("Plain words", received.Text);
        Assert.Contains("<b>words</b>", received.Html);
        var source = await h.Inbox.SourceAsync(received.Id);
        var headers = Headers(source);
        Assert.Equal("<kit-ready-1@tcma.local>", headers["Message-ID"]);
        Assert.Equal("channel-manager@acme.test", headers["Reply-To"]);
        Assert.Equal("<https://tcma.test/u/abc>", headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", headers["List-Unsubscribe-Post"]);
        Assert.Equal(h.Clock.GetUtcNow(), DateTimeOffset.Parse(headers["Date"]));
        Assert.StartsWith("multipart/alternative", headers["Content-Type"]);
        Assert.Contains("Content-Type: text/plain", source);
        Assert.Contains("Content-Type: text/html", source);
    }

    [Fact]
    public async Task An_outbox_email_carries_the_same_Message_ID_every_time_it_is_sent()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var to = Unique("approver");
        var sender = h.Services.GetRequiredService<IWorkflowEmailSender>();
        var email = new OutboxEmail(to, "Please approve", "Text", "<p>Html</p>");

        await sender.SendAsync(email, "ApprovalReminder~fr-1/o:0000000002-000", default);
        await sender.SendAsync(email, "ApprovalReminder~fr-1/o:0000000002-000", default);
        await sender.SendAsync(email, "ApprovalReminder~fr-1/o:0000000003-000", default);

        var received = await h.Inbox.WaitForAsync(to, count: 3);
        var ids = new HashSet<string>();
        foreach (var r in received) ids.Add(Headers(await h.Inbox.SourceAsync(r.Id))["Message-ID"]);
        Assert.Equal(2, ids.Count);
        Assert.All(ids, id => Assert.EndsWith("@tcma.local>", id));
    }

    [Theory]
    [InlineData("Subject\r\nBcc: victim@example.test", null, null)]
    [InlineData("ok", "Bcc", "victim@example.test")]
    [InlineData("ok", "X-Tag", "a\r\nBcc: victim@example.test")]
    [InlineData("ok", "Bad Name", "x")]
    public async Task Header_injection_is_refused_before_connecting(string subject, string? header, string? value)
    {
        await using var h = await WorkflowHarness.StartAsync(smtpPort: Infrastructure.LocalServices.FreePort());
        var message = new EmailMessage(Unique("x"), subject, "t")
        {
            Headers = header is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [header] = value! },
        };
        await Assert.ThrowsAsync<ArgumentException>(() => h.Services.GetRequiredService<IEmailSender>().SendAsync(message));
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("a@b.test, c@d.test")]
    [InlineData("\"Evil\" <a@b.test>")]
    public async Task A_malformed_recipient_is_refused(string to)
    {
        await using var h = await WorkflowHarness.StartAsync(smtpPort: Infrastructure.LocalServices.FreePort());
        await Assert.ThrowsAsync<ArgumentException>(() => h.Services.GetRequiredService<IEmailSender>().SendAsync(new EmailMessage(to, "s", "t")));
    }

    [Fact]
    public async Task With_SMTP_down_the_send_fails_loudly()
    {
        await using var h = await WorkflowHarness.StartAsync(smtpPort: Infrastructure.LocalServices.FreePort());
        var error = await Record.ExceptionAsync(() => h.Services.GetRequiredService<IEmailSender>().SendAsync(new EmailMessage(Unique("x"), "s", "t")));
        Assert.NotNull(error);
        Assert.IsNotType<ArgumentException>(error);
    }

    /// <summary>Top-level headers of a raw message, unfolded.</summary>
    private static Dictionary<string, string> Headers(string source)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var raw in source.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) break;
            if (char.IsWhiteSpace(line[0]) && last is not null) { headers[last] += " " + line.Trim(); continue; }
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            last = line[..colon];
            headers[last] = line[(colon + 1)..].Trim();
        }
        return headers;
    }
}
