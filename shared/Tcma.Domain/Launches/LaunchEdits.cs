using System.Globalization;
using Tcma.Domain.Kits;

namespace Tcma.Domain.Launches;

/// <summary>One problem with what a partner typed, keyed by the editable field's name.</summary>
public sealed record EditProblem(string Field, string Message);

/// <summary>
/// Checks a partner's edits against the kit's editable fields: only fields the kit declares, within their limits.
/// Text is kept exactly as typed (HTML included): templates escape it, so "&lt;b&gt;" reads as those characters.
/// </summary>
public static class LaunchEdits
{
    /// <summary>A query string or form holding far more than any kit declares is not a partner typing.</summary>
    public const int MaxFields = 50;

    public static (IReadOnlyDictionary<string, string> Values, IReadOnlyList<EditProblem> Problems) Check(
        KitManifest kit, IReadOnlyDictionary<string, string?> edits)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<EditProblem>();
        if (edits.Count > MaxFields)
        {
            problems.Add(new("edits", $"At most {MaxFields} fields can be edited."));
            return (values, problems);
        }
        foreach (var name in edits.Keys.Where(k => kit.Editable.All(f => f.Name != k)))
            problems.Add(new(name, "This kit does not let partners change that."));
        foreach (var field in kit.Editable)
        {
            if (!edits.TryGetValue(field.Name, out var given) || given is null)
            {
                values[field.Name] = field.Default ?? "";
                continue;
            }
            var value = given.Replace("\r\n", "\n");
            var problem = field.Type switch
            {
                "text" when value.Contains('\n') => "One line only.",
                "text" or "multiline" when value.Length > (field.MaxLength ?? 0) => $"At most {field.MaxLength} characters; this is {value.Length}.",
                "choice" when field.Options?.Contains(value) != true => $"Choose one of: {string.Join(", ", field.Options ?? [])}.",
                "date" when !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) => "A date as YYYY-MM-DD.",
                "url" when !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http") => "An address starting with https://.",
                _ when value.Any(c => char.IsControl(c) && c != '\n') => "Control characters are not allowed.",
                _ => null,
            };
            if (problem is null) values[field.Name] = value;
            else problems.Add(new(field.Name, problem));
        }
        return (values, problems);
    }
}
