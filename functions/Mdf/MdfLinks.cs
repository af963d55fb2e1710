using Microsoft.Extensions.Options;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;
using Tcma.Storage.Mdf;

namespace Tcma.Functions.Mdf;

public sealed class MdfOptions
{
    public const string Section = "Mdf";
    /// <summary>Where emailed links point: the app's public address (the Function App's host name in Azure).</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:7071";
    /// <summary>How long an approval link works; a reminder or escalation email carries fresh links.</summary>
    public int ActionLinkDays { get; set; } = 14;
    /// <summary>How long the partner's MDF page link in a notification works.</summary>
    public int PartnerLinkDays { get; set; } = 30;
}

/// <summary>The purposes of MDF links: the partner's MDF page, and an approver's action on one step.</summary>
public static class MdfLinkPurposes
{
    public const string Partner = "mdf";
    public const string Action = "mdf-action";
}

/// <summary>
/// What an approval link is bound to: the request or claim, the step, the approver and the button. A link for an
/// older step, another approver or another button never acts on this one.
/// </summary>
public sealed record ActionLink(MdfSubjectKind Kind, string SubjectId, int Step, LinkPurpose Action, string UserId)
{
    public string Subject => $"{(Kind == MdfSubjectKind.Request ? "r" : "c")}|{SubjectId}|{Step}|{Action}|{UserId}";

    public static ActionLink? Parse(string subject)
    {
        var parts = subject.Split('|', 5);
        if (parts.Length != 5 || parts[0] is not ("r" or "c") || !MdfWorkflowTypes.IsValidId(parts[1])) return null;
        if (!int.TryParse(parts[2], out var step) || !Enum.TryParse<LinkPurpose>(parts[3], out var action) || parts[4].Length == 0) return null;
        return new(parts[0] == "r" ? MdfSubjectKind.Request : MdfSubjectKind.Claim, parts[1], step, action, parts[4]);
    }
}

public sealed class MdfLinks(LinkTokens tokens, IOptions<MdfOptions> options)
{
    private string Base => options.Value.PublicBaseUrl.TrimEnd('/');

    public string ActionToken(string vendorId, ActionLink link) =>
        tokens.Create(MdfLinkPurposes.Action, link.Subject, vendorId, TimeSpan.FromDays(options.Value.ActionLinkDays));

    public string ActionPath(string vendorId, ActionLink link) => $"/mdf/act/{ActionToken(vendorId, link)}";

    public string ActionUrl(string vendorId, ActionLink link) => Base + ActionPath(vendorId, link);

    public string PartnerUrl(string vendorId, string partnerId) =>
        $"{Base}/partner/mdf?t={tokens.Create(MdfLinkPurposes.Partner, partnerId, vendorId, TimeSpan.FromDays(options.Value.PartnerLinkDays))}";
}
