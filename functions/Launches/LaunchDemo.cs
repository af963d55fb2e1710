using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Tcma.Domain.Launches;

namespace Tcma.Functions.Launches;

/// <summary>
/// The demo's real launches (Development only, vendor <c>demo</c> of <c>./tcma run</c>): the demo partner launches the
/// second and third sample kits through the launch service as it would from its invitation email (invited, opened,
/// contacts uploaded, confirmed), so its portal, the launch control page and the campaign emails in maildev show real
/// records; one of the two is then paused. The first kit's invitation is left open: it is the link <c>./tcma run</c>
/// prints for a newcomer to launch by hand.
/// </summary>
/// <remarks>
/// Every step is idempotent: inviting again finds the open invitation, an invitation has one launch however often it
/// is confirmed, and the launch is paused only while it runs.
/// </remarks>
public sealed class LaunchDemo(LaunchService launches, Microsoft.Extensions.Options.IOptions<LaunchOptions> options, TimeProvider clock, ILogger<LaunchDemo> logger)
{
    private static readonly string Contacts = string.Join("\n",
    [
        "Email,First name,Last name,Company,Consent",
        "olivia.hart@brightwater-dental.example,Olivia,Hart,Brightwater Dental,yes",
        "marcus.lee@lee-and-sons-law.example,Marcus,Lee,Lee & Sons Law,yes",
        "priya.shah@shah-accounting.example,Priya,Shah,Shah Accounting,yes",
        "tom.becker@becker-logistics.example,Tom,Becker,Becker Logistics,yes",
        "nina.costa@costa-architects.example,Nina,Costa,Costa Architects,yes",
    ]) + "\n";

    public async Task SeedAsync(string vendorId, string partnerId, IReadOnlyList<(string KitId, string Version)> kits, CancellationToken ct)
    {
        var baseUrl = (options.Value.PublicBaseUrl ?? "http://127.0.0.1:7071").TrimEnd('/');
        var made = new List<string>();
        foreach (var (kit, index) in kits.Skip(1).Take(2).Select((k, i) => (k, i)))
        {
            var invited = await launches.InviteAsync(vendorId, new InvitationRequest(kit.KitId, kit.Version, null, null, null, [partnerId]), "demo", baseUrl, ct);
            if (invited is not Outcome<InvitationsResult>.Done { Value: var result } || result.Invited.Concat(result.AlreadyInvited).FirstOrDefault() is not { } invitation)
            {
                logger.LogWarning("Demo launch of {Kit}: {Partner} was not invited ({Outcome})", kit.KitId, partnerId, invited);
                continue;
            }
            var token = QueryHelpers.ParseQuery(new Uri(invitation.Link).Query).GetValueOrDefault("t").ToString();
            if (await launches.OpenAsync(token, ct) is not { } opened) continue;
            var launchId = opened.Invitation.LaunchId;
            if (launchId is null)
            {
                var (_, upload, error) = await launches.ImportContactsAsync(vendorId, partnerId, new MemoryStream(Encoding.UTF8.GetBytes(Contacts)), ct);
                if (upload is null)
                {
                    logger.LogWarning("Demo launch of {Kit}: the contacts were refused ({Error})", kit.KitId, error);
                    continue;
                }
                var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                var confirmed = await launches.ConfirmAsync(opened, new LaunchRequest(opened.Invitation.Id, today, "UTC", null, true, upload, []), baseUrl, ct);
                if (confirmed is not Outcome<LaunchView>.Done { Value: var view })
                {
                    logger.LogWarning("Demo launch of {Kit} was refused: {Outcome}", kit.KitId, confirmed);
                    continue;
                }
                launchId = view.LaunchId;
            }
            // The second one is paused, as a partner would before a holiday: the portal asks it to resume.
            if (index == 1 && await launches.StateAsync(vendorId, launchId, ct) is { Status: LaunchStatus.Running })
                await launches.ControlAsync(vendorId, launchId, LaunchWorkflow.Paused, partnerId, ct);
            made.Add(launchId);
        }
        logger.LogInformation("Demo launches for {Vendor}: {Partner} launched {Launches}", vendorId, partnerId, string.Join(", ", made));
    }
}
