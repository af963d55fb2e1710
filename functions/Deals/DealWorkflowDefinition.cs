using System.Net;
using System.Text;
using Tcma.Domain.Deals;
using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;
using Tcma.Domain.Workflows;
using Tcma.Functions.Mdf;
using Tcma.Storage.Deals;
using WfCancelTimer = Tcma.Domain.Workflows.CancelTimer;
using WfSetTimer = Tcma.Domain.Workflows.SetTimer;

namespace Tcma.Functions.Deals;

/// <summary>
/// A side effect a committed registration step leaves on <c>deal-commands</c> through the engine's outbox. Each kind is
/// idempotent (claims and index entries are sets, emails keep their Message-ID, other registrations dedupe the event
/// id), so a redelivery changes nothing.
/// </summary>
public sealed record DealCommandMessage(string Kind, string VendorId, string RegistrationId)
{
    public const string Project = "project", PartnerEmail = "partnerEmail", Release = "release", CloseIndex = "closeIndex", Wake = "wake",
        WaitBehind = "waitBehind", Supersede = "supersede", Attribution = "attribution";
    public string? Subject { get; init; }
    public string? Text { get; init; }
    public string? Key { get; init; }
    /// <summary>Wake: the waiter; WaitBehind: the blocker; Supersede: the registration that gives way.</summary>
    public string? Other { get; init; }
    public bool Won { get; init; }
    public AttributionStage? Stage { get; init; }
}

/// <summary>The "DealRegistration" workflow: <see cref="DealWorkflow"/> on the engine; its commands as engine commands and <see cref="DealCommandMessage"/>s.</summary>
public sealed class DealRegistrationDefinition(DealLinks links) : IWorkflowDefinition
{
    public const string Queue = "deal-commands";

    public string Type => DealWorkflowTypes.Registration;

    public WorkflowStep Decide(string? stateJson, WorkflowEvent workflowEvent, DateTimeOffset now)
    {
        var state = stateJson is null or "null" ? null : MdfJson.Read<DealState>(stateJson);
        DealEvent e;
        if (ParseTimer(workflowEvent.Name) is { } timer)
        {
            if (state is null) return new WorkflowStep(stateJson ?? "null", []);
            e = new DealTimerDue(timer.Timer, timer.Step, Actor.System("timer"));
        }
        else
        {
            var data = MdfJson.Read<DealEventData>(workflowEvent.Data ?? throw new ArgumentException("a deal event carries its data"));
            state ??= DealState.New(data.RegistrationId, data.VendorId, data.PartnerId);
            e = data.Event;
        }
        var t = DealWorkflow.Apply(state, e, now);
        if (t.IsRefused || t.IsNoOp) return new WorkflowStep(MdfJson.Write(state), []);
        return new WorkflowStep(MdfJson.Write(t.State), Translate(t.State, t.Commands, now));
    }

    public IReadOnlyList<WorkflowCommand> Translate(DealState s, IEnumerable<DealCommand> commands, DateTimeOffset now)
    {
        var list = new List<WorkflowCommand>();
        var n = 0;
        DealCommandMessage M(string kind) => new(kind, s.VendorId, s.RegistrationId);
        foreach (var command in commands)
        {
            switch (command)
            {
                case EmailDealApprovers a:
                    list.AddRange(a.To.Select(to => new SendEmail(ApprovalEmail(s, a, to))));
                    break;
                case EmailDealPartner p:
                    list.Add(Message(M(DealCommandMessage.PartnerEmail) with { Subject = p.Subject, Text = p.Message, Key = $"{s.RegistrationId}/{now.UtcTicks}/{n++}" }));
                    break;
                case SetDealTimer t:
                    list.Add(new WfSetTimer(TimerName(t.Timer, t.Step), t.Due));
                    break;
                case CancelDealTimer t:
                    list.Add(new WfCancelTimer(TimerName(t.Timer, t.Step)));
                    break;
                case ReleaseClaims:
                    list.Add(Message(M(DealCommandMessage.Release)));
                    break;
                case CloseInIndex c:
                    list.Add(Message(M(DealCommandMessage.CloseIndex) with { Won = c.Won }));
                    break;
                case WakeWaiters w:
                    list.AddRange(w.Waiters.Select(x => Message(M(DealCommandMessage.Wake) with { Other = x })));
                    break;
                case WaitBehind w:
                    list.Add(Message(M(DealCommandMessage.WaitBehind) with { Other = w.BlockerId }));
                    break;
                case SupersedeOthers o:
                    list.AddRange(o.Registrations.Select(x => Message(M(DealCommandMessage.Supersede) with { Other = x, Text = o.Reason })));
                    break;
                case RecordAttribution r:
                    list.Add(Message(M(DealCommandMessage.Attribution) with { Stage = r.Stage }));
                    break;
                case NotifyDealCrm c:
                    // The same queue, signature, versioned payload and retries as the lead events; the id is stable in the outbox.
                    list.Add(new SendMessage(CrmNotification.Queue, System.Text.Json.JsonSerializer.Serialize(new CrmNotification(s.VendorId,
                        $"{s.RegistrationId}-{c.EventType}-{now.UtcTicks}", new CrmChange(c.EventType, s.RegistrationId, s.PartnerId, now, c.Reason)))));
                    break;
                default:
                    throw new ArgumentException($"unknown deal command {command.GetType().Name}");
            }
        }
        list.Add(Message(M(DealCommandMessage.Project)));
        return list;
    }

    public static string TimerName(DealTimer timer, int step) => $"{timer}-{step}";

    public static (DealTimer Timer, int Step)? ParseTimer(string eventName)
    {
        if (!eventName.StartsWith(WorkflowEvent.TimerPrefix, StringComparison.Ordinal)) return null;
        var parts = eventName[WorkflowEvent.TimerPrefix.Length..].Split('-');
        return parts.Length == 2 && Enum.TryParse<DealTimer>(parts[0], out var k) && int.TryParse(parts[1], out var step) ? (k, step) : null;
    }

    private static SendMessage Message(DealCommandMessage m) => new(Queue, MdfJson.Write(m));

    private OutboxEmail ApprovalEmail(DealState s, EmailDealApprovers a, Approver to)
    {
        var prefix = a.Kind switch { ApprovalEmailKind.Reminder => "Reminder: ", ApprovalEmailKind.Escalation => "Escalated to you: ", _ => "" };
        var extension = a.Links.Contains(LinkPurpose.ApproveExtension);
        var subject = $"{prefix}Deal registration {s.RegistrationId} {(extension ? "asks for an extension" : "needs your decision")} (level {a.Level})";
        var text = new StringBuilder().AppendLine($"Hello {to.Name},").AppendLine().AppendLine(a.Summary).AppendLine();
        var html = new StringBuilder($"<p>Hello {Enc(to.Name)},</p><p>{Enc(a.Summary)}</p><p>");
        foreach (var purpose in a.Links)
        {
            var url = links.ActionUrl(s.VendorId, new DealActionLink(s.RegistrationId, a.Step, purpose, to.UserId));
            text.AppendLine($"{MdfCommandTranslator.Label(purpose)}: {url}");
            html.Append($"<a href=\"{Enc(url)}\" style=\"display:inline-block;margin:4px;padding:8px 12px;border:1px solid #333\">{Enc(MdfCommandTranslator.Label(purpose))}</a> ");
        }
        text.AppendLine().AppendLine("Each button opens a page where you see the conflict evidence and confirm; nothing happens until you do.");
        html.Append("</p><p>Each button opens a page where you see the conflict evidence and confirm; nothing happens until you do.</p>");
        AppendRules(s.Rules!, text, html);
        return new OutboxEmail(to.Email, subject, text.ToString(), html.ToString()) { ToName = to.Name };
    }

    /// <summary>Every registration email carries the rules it is judged by, in plain words.</summary>
    public static void AppendRules(RulesOfEngagement rules, StringBuilder text, StringBuilder html)
    {
        text.AppendLine().AppendLine($"Rules of engagement (version {rules.Version}):");
        foreach (var line in rules.PlainWords()) text.AppendLine($"- {line}");
        html.Append($"<h2 style=\"font-size:1em\">Rules of engagement (version {rules.Version})</h2><ul>");
        foreach (var line in rules.PlainWords()) html.Append($"<li>{Enc(line)}</li>");
        html.Append("</ul>");
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
