using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Launches;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage.Launches;

namespace Tcma.FunctionalTests.Launches;

/// <summary>
/// A receiving server that refuses the mailbox for good (550 to RCPT TO): the send is recorded Failed at once, not
/// retried for hours, and the address goes on the partner's suppression list as a hard bounce, so the next launch
/// does not try it again.
/// </summary>
public sealed class CampaignMailBounceTests
{
    [Fact]
    public async Task A_mailbox_refused_for_good_fails_the_send_and_suppresses_the_address_for_that_partner()
    {
        await using var refusing = RefusingSmtpServer.Start();
        var mail = await LocalServices.MailDev();
        await using var app = await CampaignMailTestApp.StartAsync(new Dictionary<string, string?> { ["Email:SmtpPort"] = refusing.Port.ToString() });

        var email = CampaignMailTestApp.Email();
        await app.SendAsync(email);
        var failed = await app.WaitForStateAsync(email, CampaignSendState.Failed);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("550", failed.LastError);
        Assert.True(await app.Services.GetRequiredService<SuppressionList>().IsSuppressedAsync(email.VendorId, email.PartnerId, email.RecipientEmail));

        // With a server that would take it, the next launch of that partner still does not send to the address.
        app.Reconfigure("Email:SmtpPort", mail.SmtpPort.ToString());
        var next = CampaignMailTestApp.Email(recipient: email.RecipientEmail, partnerId: email.PartnerId);
        await app.SendAsync(next);
        await app.WaitForStateAsync(next, CampaignSendState.Suppressed);
        Assert.Empty(await app.Inbox.ToAsync(email.RecipientEmail));
    }

    /// <summary>A loopback SMTP server that speaks just enough SMTP to refuse every recipient with 550.</summary>
    private sealed class RefusingSmtpServer : IAsyncDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private Task loop = Task.CompletedTask;

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        public static RefusingSmtpServer Start()
        {
            var server = new RefusingSmtpServer();
            server.listener.Start();
            server.loop = server.AcceptAsync();
            return server;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var client = await listener.AcceptTcpClientAsync(stop.Token);
                    _ = Task.Run(() => ServeAsync(client));
                }
            }
            catch (OperationCanceledException) { }
        }

        private static async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream);
                await using var writer = new StreamWriter(stream) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 refusing.test ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    var verb = line.Split(' ')[0].ToUpperInvariant();
                    var reply = verb switch
                    {
                        "EHLO" or "HELO" => "250 refusing.test",
                        "MAIL" => "250 2.1.0 ok",
                        "RCPT" => "550 5.1.1 no such user here",
                        "QUIT" => "221 2.0.0 bye",
                        _ => "250 2.0.0 ok",
                    };
                    await writer.WriteLineAsync(reply);
                    if (verb == "QUIT") return;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            listener.Stop();
            await loop;
        }
    }
}
