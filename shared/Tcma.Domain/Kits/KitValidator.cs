using System.Globalization;

namespace Tcma.Domain.Kits;

/// <summary>
/// What the schema cannot say: references between parts of the kit, files that must exist, a schedule that
/// makes sense, and editable fields whose defaults respect their own limits. Every problem is reported at once.
/// </summary>
public static class KitValidator
{
    /// <summary>Touches without a window send during business hours in the partner's time zone.</summary>
    public static readonly SendWindow DefaultWindow = new(new TimeOnly(9, 0), new TimeOnly(17, 0));

    public static IReadOnlyList<KitProblem> Check(KitManifest kit, KitFiles files)
    {
        var problems = new List<KitProblem>();
        void Problem(string place, string message) => problems.Add(new KitProblem(KitManifestReader.FileName, place, message));

        foreach (var (path, file) in kit.ReferencedFiles())
            if (!files.Files.ContainsKey(file))
                Problem(path, $"'{file}' is not in the kit");

        Unique(kit.Content.Images.Select(i => i.Id), "$.content.images", "image", Problem);
        Unique(kit.Content.Emails.Select(e => e.Id), "$.content.emails", "email", Problem);
        Unique(kit.Content.Social.Select(s => s.Id), "$.content.social", "social post", Problem);
        Unique(kit.Editable.Select(f => f.Name), "$.editable", "editable field", Problem);

        var images = kit.Content.Images.Select(i => i.Id).ToHashSet();
        for (var i = 0; i < kit.Content.Social.Count; i++)
            if (kit.Content.Social[i].Image is { } image && !images.Contains(image))
                Problem($"$.content.social[{i}].image", $"no image with id '{image}' in content.images");

        if (kit.Targeting is { PublishFrom: { } from, ExpiresAt: { } expires } && expires <= from)
            Problem("$.targeting.expiresAt", $"the kit expires ({expires:u}) before it is published ({from:u})");

        CheckSchedule(kit, Problem);
        CheckEditable(kit.Editable, Problem);
        return problems;
    }

    private static void Unique(IEnumerable<string> ids, string path, string what, Action<string, string> problem)
    {
        foreach (var duplicate in ids.GroupBy(i => i).Where(g => g.Count() > 1))
            problem(path, $"two {what}s have the id '{duplicate.Key}'");
    }

    private static void CheckSchedule(KitManifest kit, Action<string, string> problem)
    {
        var emails = kit.Content.Emails.DistinctBy(e => e.Id).ToDictionary(e => e.Id);
        var social = kit.Content.Social.DistinctBy(s => s.Id).ToDictionary(s => s.Id);
        var placed = new List<(int Index, ScheduledTouch Touch, SendWindow Window, string Channel)>();

        for (var i = 0; i < kit.Schedule.Count; i++)
        {
            var touch = kit.Schedule[i];
            var path = $"$.schedule[{i}]";
            if (touch.Day < 0) problem($"{path}.day", "a touch cannot happen before the launch starts (negative day)");
            string channel;
            if (touch.Email is { } email)
            {
                channel = "email";
                if (!emails.ContainsKey(email)) problem($"{path}.email", $"no email with id '{email}' in content.emails");
                if (touch.Audience != "all" && !placed.Any(p => p.Touch.Email is not null && p.Touch.Day < touch.Day))
                    problem($"{path}.audience", $"'{touch.Audience}' needs an email on an earlier day to have been opened or clicked");
            }
            else
            {
                if (touch.Audience != "all") problem($"{path}.audience", "only emails have an audience");
                if (touch.Social is { } id && social.TryGetValue(id, out var post)) channel = $"social:{post.Network}";
                else
                {
                    problem($"{path}.social", $"no social post with id '{touch.Social}' in content.social");
                    continue;
                }
            }
            var window = touch.Window ?? DefaultWindow;
            if (window.End <= window.Start)
            {
                problem($"{path}.window", $"the send window {window} ends before it starts");
                continue;
            }
            foreach (var other in placed.Where(p => p.Channel == channel && p.Touch.Day == touch.Day && Overlaps(p.Window, window)))
                problem(path, $"{touch.Describe()} and {other.Touch.Describe()} (schedule[{other.Index}]) overlap on day {touch.Day} " +
                              $"({window} and {other.Window}): a partner's audience would get both at once");
            placed.Add((i, touch, window, channel));
        }
    }

    private static bool Overlaps(SendWindow a, SendWindow b) => a.Start < b.End && b.Start < a.End;

    /// <summary>Templates read the campaign's own facts beside the editable fields (campaign.name, ...).</summary>
    public static readonly IReadOnlySet<string> ReservedFieldNames = new HashSet<string> { "name", "kit_id", "version" };

    private static void CheckEditable(IReadOnlyList<EditableField> fields, Action<string, string> problem)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var path = $"$.editable[{i}]";
            if (ReservedFieldNames.Contains(field.Name))
                problem($"{path}.name", $"'{field.Name}' is taken: templates read campaign.{field.Name} from the kit itself");
            switch (field.Type)
            {
                case "text" or "multiline":
                    if (field.MaxLength is null) problem($"{path}.maxLength", $"'{field.Name}' needs a maxLength so partners' text fits the design");
                    else if (field.Default is { } text && text.Length > field.MaxLength)
                        problem($"{path}.default", $"the default of '{field.Name}' is {text.Length} characters, over its own limit of {field.MaxLength}");
                    if (field.Type == "text" && field.Default is { } line && line.Contains('\n'))
                        problem($"{path}.default", $"'{field.Name}' is a one-line field but its default has line breaks");
                    break;
                case "choice":
                    if (field.Options is not { Count: >= 2 }) problem($"{path}.options", $"'{field.Name}' needs at least two options to choose from");
                    else if (field.Default is { } choice && !field.Options.Contains(choice))
                        problem($"{path}.default", $"the default of '{field.Name}' is not one of its options");
                    break;
                case "date":
                    if (field.Default is { } date && !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                        problem($"{path}.default", $"the default of '{field.Name}' is not a date written as YYYY-MM-DD");
                    break;
                case "url":
                    if (field.Default is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
                        problem($"{path}.default", $"the default of '{field.Name}' is not an http(s) address");
                    break;
            }
            if (field.Type != "choice" && field.Options is not null)
                problem($"{path}.options", $"only choice fields have options; '{field.Name}' is a {field.Type} field");
        }
    }
}
