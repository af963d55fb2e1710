using Tcma.Domain;
using Microsoft.Extensions.Options;
using Tcma.Storage.Syndication;
using Tcma.Syndication;

namespace Tcma.Functions.Syndication;

public sealed class SocialAccountCheckOptions
{
    public const string Section = "Syndication:AccountChecks";

    /// <summary>The token must still work this far ahead: a post due within it must not find a dead connection.</summary>
    public TimeSpan Lookahead { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Each account is asked at most this often; the hourly timer spreads the checks over the day.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(23);
}

/// <summary>
/// The hourly timer that finds broken connections before a post is due. Posts are scheduled by the launch workflow
/// and only enqueued at their due time, so there is no cheap index of "accounts with posts in the next 48 h": every
/// connected account is checked about once a day instead, which at one light GET per account is cheap at any scale
/// a partner base reaches. A transient failure is simply asked again the next hour.
/// </summary>
public sealed class SocialAccountChecks(
    SocialAccountStore accounts, SocialAccountAccess access, ReconnectNotices notices, IEnumerable<ISocialConnector> connectors,
    IOptions<SocialAccountCheckOptions> options, TimeProvider clock, ILogger<SocialAccountChecks> logger)
{
    public const string Function = "SocialAccountCheck";
    public const string Schedule = "0 17 * * * *";

    public sealed record Report(int Checked, int Healthy, int ReconnectNeeded, int Transient, int Skipped);

    public async Task<Report> RunAsync(CancellationToken cancellationToken)
    {
        int checkedCount = 0, healthy = 0, reconnect = 0, transient = 0, skipped = 0;
        await foreach (var account in accounts.AllAsync(cancellationToken))
        {
            var now = clock.GetUtcNow();
            if (account.NeedsReconnect || account.CheckedAt > now - options.Value.Interval)
                skipped++;
            else
                checkedCount++;
            try
            {
                if (account.NeedsReconnect)
                {
                    // Only a claim whose email never went out (SMTP down, a crash) needs anything more.
                    if (account.ReconnectEmailedAt is null)
                        await notices.NotifyAsync(account, account.ReconnectReason!, cancellationToken);
                    continue;
                }
                if (account.CheckedAt > now - options.Value.Interval)
                    continue;
                var until = now + options.Value.Lookahead;
                var fresh = await access.FreshAsync(account, until, cancellationToken);
                // A token just refreshed will be refreshed again before each post (X's live two hours), so only whether
                // it works now matters. Any other token must last the lookahead: a failed refresh shows up here.
                var refreshed = fresh.ProtectedToken != account.ProtectedToken;
                var check = await connectors.For(account.Network).CheckAccountAsync(SocialAccountAccess.ForConnector(fresh),
                    refreshed ? null : until, cancellationToken);
                switch (check.Health)
                {
                    case AccountHealth.Healthy:
                        healthy++;
                        // A healthy account is also where tokens under a retired key get re-encrypted under the active one.
                        await accounts.CheckedAsync(await access.RotateAsync(fresh, cancellationToken), now, cancellationToken);
                        break;
                    case AccountHealth.ReconnectNeeded:
                        reconnect++;
                        await notices.NotifyAsync(fresh, check.Reason ?? "The connection no longer works.", cancellationToken);
                        break;
                    default:
                        transient++;
                        break;
                }
            }
            catch (SocialNetworkUnavailableException ex)
            {
                transient++;
                logger.LogInformation("{Network} account {Account}: {Reason}; asked again next hour", account.Network, account.AccountId, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One account's trouble (SMTP down, a storage hiccup) must not stop the others' checks; the next hour tries again.
                transient++;
                logger.LogWarning(ex, "Checking {Network} account {Account} of partner {Partner} failed", account.Network, account.AccountId, account.PartnerId);
            }
        }
        var report = new Report(checkedCount, healthy, reconnect, transient, skipped);
        logger.LogInformation("Social account check: {Report}", report);
        return report;
    }
}
