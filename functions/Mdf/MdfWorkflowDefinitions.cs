using System.Net;
using System.Text;
using Tcma.Domain.Mdf;
using Tcma.Domain.Workflows;
using Tcma.Storage.Mdf;
using WfCancelTimer = Tcma.Domain.Workflows.CancelTimer;
using WfSetTimer = Tcma.Domain.Workflows.SetTimer;

namespace Tcma.Functions.Mdf;

/// <summary>An event for a fund request as the engine records it (history row Data): the domain event plus the ids a first event needs.</summary>
public sealed record RequestEventData(string VendorId, string RequestId, string PartnerId, string FundId, FundRequestEvent Event, Refusal? ReservationRefused = null);

public sealed record ClaimEventData(string VendorId, string ClaimId, string PartnerId, ClaimEvent Event);

/// <summary>
/// A side effect a committed MDF step leaves on the <c>mdf-commands</c> queue through the engine's outbox: booked on the
/// ledger, an email to the partner, the claim told to its request, a payout for finance. Each is idempotent.
/// </summary>
public sealed record MdfCommandMessage(string Kind, string VendorId)
{
    public const string Ledger = "ledger", PartnerEmail = "partnerEmail", ClaimOnRequest = "claimOnRequest", Payout = "payout";
    public string? FundId { get; init; }
    public string? Currency { get; init; }
    public FundCommand? Command { get; init; }
    public string? PartnerId { get; init; }
    public string? SubjectId { get; init; }
    public string? Status { get; init; }
    public string? Text { get; init; }
    public string? Key { get; init; }
    public string? RequestId { get; init; }
    public string? ClaimId { get; init; }
    public Payout? PayoutDue { get; init; }
}

/// <summary>
/// Turns the domain's commands into the engine's: timers by kind and step, approval emails with signed links, and
/// everything else as <see cref="MdfCommandMessage"/>s on the outbox. Reservations and claim conversions are left
/// out: the wiring books them on the ledger *before* the step commits (see <see cref="MdfService"/>).
/// </summary>
public sealed class MdfCommandTranslator(MdfLinks links)
{
    public const string Queue = "mdf-commands";

    public IReadOnlyList<WorkflowCommand> Translate(string vendorId, MdfSubjectKind kind, string fundId, Currency currency, IEnumerable<MdfCommand> commands, DateTimeOffset now)
    {
        var list = new List<WorkflowCommand>();
        var n = 0;
        foreach (var command in commands)
        {
            switch (command)
            {
                case AppendToLedger { Command: ReserveFunds or ConvertToClaim }:
                    break;
                case AppendToLedger l:
                    list.Add(Message(new MdfCommandMessage(MdfCommandMessage.Ledger, vendorId) { FundId = fundId, Currency = currency.Code, Command = l.Command }));
                    break;
                case EmailApprovers a:
                    list.AddRange(a.To.Select(to => new SendEmail(ApprovalEmail(vendorId, kind, a, to))));
                    break;
                case EmailPartner p:
                    list.Add(Message(new MdfCommandMessage(MdfCommandMessage.PartnerEmail, vendorId)
                    {
                        PartnerId = p.PartnerId, SubjectId = p.SubjectId, Status = p.Status, Text = p.Message, Key = $"{p.SubjectId}/{now.UtcTicks}/{n++}",
                    }));
                    break;
                case Tcma.Domain.Mdf.SetTimer t:
                    list.Add(new WfSetTimer(TimerName(t.Kind, t.Step), t.Due));
                    break;
                case Tcma.Domain.Mdf.CancelTimer t:
                    list.Add(new WfCancelTimer(TimerName(t.Kind, t.Step)));
                    break;
                case RecordClaimOnRequest r:
                    list.Add(Message(new MdfCommandMessage(MdfCommandMessage.ClaimOnRequest, vendorId) { RequestId = r.RequestId, ClaimId = r.ClaimId }));
                    break;
                case CreatePayout p:
                    list.Add(Message(new MdfCommandMessage(MdfCommandMessage.Payout, vendorId) { PayoutDue = p.Payout, ClaimId = p.Payout.ClaimId }));
                    break;
                default:
                    throw new ArgumentException($"unknown MDF command {command.GetType().Name}");
            }
        }
        return list;
    }

    public static string TimerName(TimerKind kind, int step) => $"{kind}-{step}";

    public static (TimerKind Kind, int Step)? ParseTimer(string eventName)
    {
        if (!eventName.StartsWith(WorkflowEvent.TimerPrefix, StringComparison.Ordinal)) return null;
        var parts = eventName[WorkflowEvent.TimerPrefix.Length..].Split('-');
        return parts.Length == 2 && Enum.TryParse<TimerKind>(parts[0], out var k) && int.TryParse(parts[1], out var s) ? (k, s) : null;
    }

    private static SendMessage Message(MdfCommandMessage m) => new(Queue, MdfJson.Write(m));

    private OutboxEmail ApprovalEmail(string vendorId, MdfSubjectKind kind, EmailApprovers a, Approver to)
    {
        var what = kind == MdfSubjectKind.Request ? "MDF request" : "MDF claim";
        var prefix = a.Kind switch { ApprovalEmailKind.Reminder => "Reminder: ", ApprovalEmailKind.Escalation => "Escalated to you: ", _ => "" };
        var subject = $"{prefix}{what} {a.SubjectId} needs your decision (level {a.Level})";
        var text = new StringBuilder().AppendLine($"Hello {to.Name},").AppendLine().AppendLine(a.Summary).AppendLine();
        var html = new StringBuilder($"<p>Hello {Enc(to.Name)},</p><p>{Enc(a.Summary)}</p><p>");
        foreach (var purpose in a.Links)
        {
            var url = links.ActionUrl(vendorId, new ActionLink(kind, a.SubjectId, a.Step, purpose, to.UserId));
            text.AppendLine($"{Label(purpose)}: {url}");
            html.Append($"<a href=\"{Enc(url)}\" style=\"display:inline-block;margin:4px;padding:8px 12px;border:1px solid #333\">{Enc(Label(purpose))}</a> ");
        }
        text.AppendLine().AppendLine("Each button opens a page where you confirm; nothing happens until you do.");
        html.Append("</p><p>Each button opens a page where you confirm; nothing happens until you do.</p>");
        return new OutboxEmail(to.Email, subject, text.ToString(), html.ToString()) { ToName = to.Name };
    }

    public static string Label(LinkPurpose p) => p switch
    {
        LinkPurpose.Approve => "Approve",
        LinkPurpose.ApproveLowerAmount => "Approve a lower amount",
        LinkPurpose.Reject => "Reject with reason",
        LinkPurpose.AskForInformation => "Ask for information",
        LinkPurpose.ApproveExtension => "Approve the extension",
        LinkPurpose.RejectExtension => "Decline the extension",
        _ => p.ToString(),
    };

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}

/// <summary>The "FundRequest" workflow: <see cref="FundRequestWorkflow"/> on the engine, state = <see cref="FundRequestState"/> in <see cref="MdfJson"/>.</summary>
public sealed class FundRequestDefinition(MdfCommandTranslator translator) : IWorkflowDefinition
{
    public string Type => MdfWorkflowTypes.FundRequest;

    public WorkflowStep Decide(string? stateJson, WorkflowEvent workflowEvent, DateTimeOffset now)
    {
        var state = stateJson is null or "null" ? null : MdfJson.Read<FundRequestState>(stateJson);
        FundRequestEvent e;
        Refusal? refused = null;
        if (MdfCommandTranslator.ParseTimer(workflowEvent.Name) is { } timer)
        {
            if (state is null) return new WorkflowStep(stateJson ?? "null", []);
            var system = Actor.System("timer");
            e = timer.Kind switch
            {
                TimerKind.Reminder => new RequestReminderDue(timer.Step, system),
                TimerKind.Escalation => new RequestEscalationDue(timer.Step, system),
                _ => new RequestExpiryDue(system),
            };
        }
        else
        {
            var data = MdfJson.Read<RequestEventData>(workflowEvent.Data ?? throw new ArgumentException("an MDF event carries its data"));
            state ??= FundRequestState.New(data.RequestId, data.PartnerId, data.FundId);
            e = data.Event;
            refused = data.ReservationRefused;
        }
        var t = FundRequestWorkflow.Apply(state, e, now);
        if (t.IsRefused || t.IsNoOp) return new WorkflowStep(MdfJson.Write(state), []);
        var next = t.State;
        var commands = t.Commands;
        if (refused is not null && e is SubmitRequest)
        {
            // The ledger said no after all (another request took the money first): record the submission and its
            // refusal together, so no approver is ever asked about money that is not there.
            var failed = FundRequestWorkflow.Apply(next, new ReservationFailed(refused, Actor.System("ledger")), now);
            next = failed.State;
            commands = failed.Commands;
        }
        var vendorId = FundKey.Parse(next.FundId).VendorId;
        return new WorkflowStep(MdfJson.Write(next), translator.Translate(vendorId, MdfSubjectKind.Request, next.FundId, next.Program!.Currency, commands, now));
    }
}

/// <summary>The "Claim" workflow: <see cref="ClaimWorkflow"/> on the engine, state = <see cref="ClaimState"/> in <see cref="MdfJson"/>.</summary>
public sealed class ClaimDefinition(MdfCommandTranslator translator) : IWorkflowDefinition
{
    public string Type => MdfWorkflowTypes.Claim;

    public WorkflowStep Decide(string? stateJson, WorkflowEvent workflowEvent, DateTimeOffset now)
    {
        var state = stateJson is null or "null" ? null : MdfJson.Read<ClaimState>(stateJson);
        ClaimEvent e;
        if (MdfCommandTranslator.ParseTimer(workflowEvent.Name) is { } timer)
        {
            if (state is null) return new WorkflowStep(stateJson ?? "null", []);
            var system = Actor.System("timer");
            e = timer.Kind == TimerKind.Reminder ? new ClaimReminderDue(timer.Step, system) : new ClaimEscalationDue(timer.Step, system);
        }
        else
        {
            var data = MdfJson.Read<ClaimEventData>(workflowEvent.Data ?? throw new ArgumentException("an MDF event carries its data"));
            state ??= ClaimState.New(data.ClaimId, data.PartnerId);
            e = data.Event;
        }
        var t = ClaimWorkflow.Apply(state, e, now);
        if (t.IsRefused || t.IsNoOp) return new WorkflowStep(MdfJson.Write(state), []);
        var next = t.State;
        var vendorId = FundKey.Parse(next.FundId!).VendorId;
        return new WorkflowStep(MdfJson.Write(next), translator.Translate(vendorId, MdfSubjectKind.Claim, next.FundId!, next.Program!.Currency, t.Commands, now));
    }
}
