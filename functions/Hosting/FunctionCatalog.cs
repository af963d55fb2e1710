using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Template;
using NCrontab;
using Tcma.Storage;

namespace Tcma.Functions.Hosting;

/// <summary>
/// Every function the app declares, checked once at start-up the way the Functions host would check the
/// generated metadata: unique names, valid queue names and schedules, and no HTTP route that could reach a
/// non-HTTP function's invocation path.
/// </summary>
public sealed partial class FunctionCatalog
{
    /// <summary>The app's own health probe; declared here unless a capability declares it.</summary>
    public static readonly FunctionDefinition Health = new("Health", new HttpFunctionTrigger("health", ["GET", "HEAD"]), null);

    public FunctionCatalog(IEnumerable<FunctionDefinition> definitions)
    {
        var all = definitions.ToList();
        if (!all.Any(d => string.Equals(d.Name, Health.Name, StringComparison.OrdinalIgnoreCase)) &&
            !all.Any(d => d.Trigger is HttpFunctionTrigger h && string.Equals(h.Route, "health", StringComparison.OrdinalIgnoreCase)))
            all.Add(Health);
        var errors = Validate(all);
        if (errors.Count > 0)
            throw new InvalidOperationException("Invalid function declarations:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        Functions = all.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        byName = Functions.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
    }

    private readonly Dictionary<string, FunctionDefinition> byName;

    public IReadOnlyList<FunctionDefinition> Functions { get; }

    public IEnumerable<FunctionDefinition> Invocable => Functions.Where(f => !f.IsHttp);

    /// <summary>The host matches function names case-insensitively, and so do we.</summary>
    public FunctionDefinition? Find(string name) => byName.GetValueOrDefault(name);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex NamePattern();

    public static List<string> Validate(IReadOnlyList<FunctionDefinition> definitions)
    {
        var errors = new List<string>();
        foreach (var group in definitions.GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            errors.Add($"'{group.Key}' is declared {group.Count()} times; function names must be unique (case-insensitively).");
        foreach (var d in definitions)
        {
            if (!NamePattern().IsMatch(d.Name))
                errors.Add($"'{d.Name}' is not a valid function name (a letter, then letters, digits, '_' or '-').");
            switch (d.Trigger)
            {
                case QueueFunctionTrigger q:
                    if (d.Handler is null) errors.Add($"{d.Name}: a queue function needs a handler.");
                    try { new StorageNames("").Queue(q.Queue); }
                    catch (ArgumentException e) { errors.Add($"{d.Name}: {e.Message}"); }
                    if (q.Queue.EndsWith("-poison", StringComparison.Ordinal)) errors.Add($"{d.Name}: '{q.Queue}' is a poison queue name.");
                    break;
                case TimerFunctionTrigger t:
                    if (d.Handler is null) errors.Add($"{d.Name}: a timer function needs a handler.");
                    if (TryParseSchedule(t.Schedule) is null) errors.Add($"{d.Name}: '{t.Schedule}' is not a six-field NCRONTAB schedule.");
                    break;
                case HttpFunctionTrigger h:
                    if (h.Methods.Count == 0) errors.Add($"{d.Name}: an HTTP function needs at least one method.");
                    if (h.Route.StartsWith('/')) errors.Add($"{d.Name}: the route '{h.Route}' must be relative (no leading '/').");
                    break;
                default:
                    errors.Add($"{d.Name}: unsupported trigger {d.Trigger.GetType().Name}.");
                    break;
            }
        }
        foreach (var (http, function) in ExposedInvocationPaths(definitions))
            errors.Add($"the HTTP route '{http.Route}' matches '/{function.Name}': outsiders could invoke {function.Name} through it. Give the HTTP function a route prefix.");
        return errors;
    }

    /// <summary>
    /// Pairs of (HTTP trigger, non-HTTP function) where the host would forward a request for
    /// <c>/{FunctionName}</c> to our app as an HTTP request; the invocation endpoint must stay unreachable.
    /// </summary>
    public static IEnumerable<(HttpFunctionTrigger Http, FunctionDefinition Function)> ExposedInvocationPaths(IEnumerable<FunctionDefinition> definitions)
    {
        var list = definitions.ToList();
        foreach (var http in list.Select(d => d.Trigger).OfType<HttpFunctionTrigger>())
        {
            RouteTemplate template;
            try { template = TemplateParser.Parse(http.Route); }
            catch (ArgumentException) { continue; }
            var matcher = new TemplateMatcher(template, new RouteValueDictionary());
            foreach (var function in list.Where(d => !d.IsHttp))
            {
                // The host compares paths case-insensitively; so does the template matcher for literals.
                if (matcher.TryMatch("/" + function.Name, new RouteValueDictionary()) ||
                    matcher.TryMatch("/" + function.Name.ToLowerInvariant(), new RouteValueDictionary()))
                    yield return (http, function);
            }
        }
    }

    public static CrontabSchedule? TryParseSchedule(string schedule)
        => CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
}
