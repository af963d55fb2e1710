using System.Text.Json;
using Tcma.Domain.Workflows;

namespace Tcma.FunctionalTests.Workflows;

/// <summary>
/// A test-only workflow type that does what its events say: "Do" carries the commands as JSON, "BigEmail" asks for
/// an email too large for a table property. It exercises the runtime's commands one by one.
/// </summary>
public sealed class ScriptedWorkflow : WorkflowDefinition<int>
{
    public const string TypeName = "Scripted";
    public override string Type => TypeName;
    public override int Initial => 0;

    public override WorkflowDecision<int> Decide(int state, WorkflowEvent e, DateTimeOffset now) => e.Name switch
    {
        "Do" => new(state + 1, JsonSerializer.Deserialize<List<WorkflowCommand>>(e.Data!, WorkflowJson.Options)!),
        "BigEmail" => new(state + 1, [new SendEmail(new OutboxEmail(e.Data!, "A long one", "See the HTML part.", "<p>" + new string('w', 100_000) + "</p>"))]),
        _ => new(state + 1, []),
    };
}
