using Microsoft.Extensions.Options;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;
using Tcma.Functions.Mdf;
using Tcma.Storage.Deals;

namespace Tcma.Functions.Deals;

/// <summary>The purposes of deal links: the partner's deals page, and an approver's action on one step of a registration.</summary>
public static class DealLinkPurposes
{
    public const string Partner = "deals";
    public const string Action = "deal-action";
}

/// <summary>What a deal approval link is bound to: the registration, the step, the approver and the button.</summary>
public sealed record DealActionLink(string RegistrationId, int Step, LinkPurpose Action, string UserId)
{
    public string Subject => $"d|{RegistrationId}|{Step}|{Action}|{UserId}";

    public static DealActionLink? Parse(string subject)
    {
        var parts = subject.Split('|', 5);
        if (parts.Length != 5 || parts[0] != "d" || !DealWorkflowTypes.IsValidId(parts[1])) return null;
        if (!int.TryParse(parts[2], out var step) || !Enum.TryParse<LinkPurpose>(parts[3], out var action) || parts[4].Length == 0) return null;
        return new(parts[1], step, action, parts[4]);
    }
}

/// <summary>Signed links in deal emails; the same token machinery and lifetimes as MDF's (<see cref="MdfOptions"/>).</summary>
public sealed class DealLinks(LinkTokens tokens, IOptions<MdfOptions> options)
{
    private string Base => options.Value.PublicBaseUrl.TrimEnd('/');

    public string ActionPath(string vendorId, DealActionLink link) =>
        $"/deals/act/{tokens.Create(DealLinkPurposes.Action, link.Subject, vendorId, TimeSpan.FromDays(options.Value.ActionLinkDays))}";

    public string ActionUrl(string vendorId, DealActionLink link) => Base + ActionPath(vendorId, link);

    public string PartnerToken(string vendorId, string partnerId) =>
        tokens.Create(DealLinkPurposes.Partner, partnerId, vendorId, TimeSpan.FromDays(options.Value.PartnerLinkDays));

    public string PartnerUrl(string vendorId, string partnerId) => $"{Base}/partner/deals?t={PartnerToken(vendorId, partnerId)}";
}
