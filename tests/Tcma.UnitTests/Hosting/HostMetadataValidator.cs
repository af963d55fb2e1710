using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NCrontab;

namespace Tcma.UnitTests.Hosting;

/// <summary>
/// Checks generated metadata the way the Functions host reads it, written independently of the generator so
/// the two cannot share a mistake: what the host rejects at load time, this rejects too.
/// </summary>
public static partial class HostMetadataValidator
{
    private static readonly HashSet<string> BindingTypes = new(StringComparer.Ordinal)
    {
        "queueTrigger", "timerTrigger", "httpTrigger", "blobTrigger", "http", "queue", "blob", "table",
    };

    private static readonly HashSet<string> HttpMethods = new(StringComparer.Ordinal) { "get", "post", "put", "delete", "patch", "head", "options", "trace" };

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex FunctionName();

    public static List<string> Validate(IReadOnlyDictionary<string, string> files)
    {
        var errors = new List<string>();
        if (!files.TryGetValue("host.json", out var hostText)) return ["host.json is missing"];
        var host = JsonNode.Parse(hostText)!.AsObject();
        if (host["version"]?.GetValue<string>() != "2.0") errors.Add("host.json: version must be \"2.0\"");
        if (host["customHandler"]?["description"]?["defaultExecutablePath"]?.GetValue<string>() is not { Length: > 0 })
            errors.Add("host.json: customHandler.description.defaultExecutablePath is required");
        var forwarding = host["customHandler"]?["enableForwardingHttpRequest"]?.GetValue<bool>() == true;

        foreach (var (path, text) in files.Where(f => f.Key != "host.json"))
        {
            var parts = path.Split('/');
            if (parts is not [var name, "function.json"]) { errors.Add($"{path}: unexpected file"); continue; }
            if (!FunctionName().IsMatch(name)) errors.Add($"{name}: invalid function name");
            if (JsonNode.Parse(text)?["bindings"] is not JsonArray bindings) { errors.Add($"{name}: no bindings array"); continue; }
            var triggers = 0;
            var httpOut = 0;
            foreach (var b in bindings.Select(b => b!.AsObject()))
            {
                var type = b["type"]?.GetValue<string>();
                if (type is null || !BindingTypes.Contains(type)) { errors.Add($"{name}: unknown binding type '{type}'"); continue; }
                if (b["name"]?.GetValue<string>() is not { Length: > 0 }) errors.Add($"{name}: a {type} binding has no name");
                if (b["direction"]?.GetValue<string>() is not ("in" or "out" or "inout")) errors.Add($"{name}: a {type} binding has no valid direction");
                if (type.EndsWith("Trigger", StringComparison.Ordinal))
                {
                    triggers++;
                    if (b["direction"]?.GetValue<string>() != "in") errors.Add($"{name}: a trigger's direction must be in");
                }
                switch (type)
                {
                    case "queueTrigger":
                        if (b["queueName"]?.GetValue<string>() is not { } queue || !QueueName().IsMatch(queue)) errors.Add($"{name}: queueTrigger needs a valid queueName");
                        if (b["connection"]?.GetValue<string>() is not { Length: > 0 }) errors.Add($"{name}: queueTrigger needs a connection");
                        break;
                    case "timerTrigger":
                        var schedule = b["schedule"]?.GetValue<string>() ?? "";
                        if (schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6 ||
                            CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
                            errors.Add($"{name}: '{schedule}' is not a six-field NCRONTAB schedule");
                        break;
                    case "httpTrigger":
                        if (b["methods"] is not JsonArray methods || methods.Count == 0 || methods.Any(m => !HttpMethods.Contains(m!.GetValue<string>())))
                            errors.Add($"{name}: httpTrigger needs methods");
                        if (b["authLevel"]?.GetValue<string>() is not ("anonymous" or "function" or "admin")) errors.Add($"{name}: httpTrigger needs an authLevel");
                        break;
                    case "http":
                        httpOut++;
                        break;
                }
            }
            if (triggers != 1) errors.Add($"{name}: has {triggers} triggers; exactly one is required");
            var isHttp = bindings.Any(b => b!["type"]?.GetValue<string>() == "httpTrigger");
            if (isHttp && forwarding && (httpOut != 1 || bindings.Count != 2))
                errors.Add($"{name}: a forwarded HTTP function has exactly one httpTrigger and one http output");
        }
        return errors;
    }
}
