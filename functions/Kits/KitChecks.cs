using Tcma.Domain.Kits;
using Tcma.Rendering.Images;
using Tcma.Rendering.Liquid;

namespace Tcma.Functions.Kits;

/// <summary>
/// Every check a kit must pass before it is stored, reported all at once: the manifest against the schema, the
/// references and schedule, every Liquid part (emails, posts, landing page, consent text), and every image template.
/// </summary>
public static class KitChecks
{
    public static (KitManifest? Manifest, IReadOnlyList<KitProblem> Problems) Check(KitFiles files)
    {
        if (!files.Files.TryGetValue(KitManifestReader.FileName, out var manifestBytes))
            return (null, [new KitProblem(KitManifestReader.FileName, "", "the kit has no kit.json at its root")]);
        var (manifest, problems) = KitManifestReader.Read(manifestBytes);
        if (manifest is null) return (null, problems);

        var all = new List<KitProblem>(KitValidator.Check(manifest, files));
        void Liquid(IEnumerable<LiquidError> errors) =>
            all.AddRange(errors.Select(e => new KitProblem(e.File, $"line {e.Line}, column {e.Column}", e.Message)));
        var undecodable = new HashSet<string>(StringComparer.Ordinal);
        string Text(string path)
        {
            if (!files.Files.TryGetValue(path, out var bytes)) return "";
            var (text, error) = LiquidSource.Decode(bytes, path);
            if (error is not null && undecodable.Add(path)) Liquid([error]);
            return text ?? "";
        }

        for (var i = 0; i < manifest.Content.Emails.Count; i++)
        {
            var email = manifest.Content.Emails[i];
            // LiquidEmail names its parts "<id>.html.liquid" and so on; authors need the kit's own file, or the manifest's field.
            foreach (var e in LiquidEmail.Parse(email.Id, email.Subject, email.Preheader ?? "", Text(email.Html), Text(email.Text)).Errors)
            {
                var part = e.File.EndsWith(".liquid", StringComparison.Ordinal) ? e.File[..^".liquid".Length].Split('.')[^1] : "";
                all.Add(part switch
                {
                    "html" => new KitProblem(email.Html, $"line {e.Line}, column {e.Column}", e.Message),
                    "text" => new KitProblem(email.Text, $"line {e.Line}, column {e.Column}", e.Message),
                    "subject" or "preheader" => new KitProblem(KitManifestReader.FileName, $"$.content.emails[{i}].{part}, column {e.Column}", e.Message),
                    _ => new KitProblem(e.File, $"line {e.Line}, column {e.Column}", e.Message),
                });
            }
        }
        foreach (var post in manifest.Content.Social)
            Liquid(LiquidTemplate.Parse(Text(post.Text), post.Text, LiquidContentKind.Text).Errors);
        if (manifest.Content.LandingPage is { } page)
        {
            Liquid(LiquidTemplate.Parse(Text(page.Html), page.Html, LiquidContentKind.Html).Errors);
            Liquid(LiquidTemplate.Parse(page.Form.ConsentText, "kit.json consentText", LiquidContentKind.Text).Errors);
        }

        var kitFiles = new InMemoryKitFiles("validation", files.Files);
        foreach (var image in manifest.Content.Images.Where(i => files.Files.ContainsKey(i.Template)))
        {
            try
            {
                TemplateLoader.Load(image.Template, Text(image.Template), kitFiles);
            }
            catch (TemplateLoader.TemplateException e)
            {
                all.AddRange(e.Errors.Select(x => new KitProblem(x.File, x.Place, x.Message)));
            }
        }
        return (all.Count == 0 ? manifest : null, all);
    }

    /// <summary>A kit folder as an author keeps it, read the same way as an uploaded zip's entries.</summary>
    public static KitFiles ReadFolder(string folder) => new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
        .ToDictionary(path => Path.GetRelativePath(folder, path).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal));
}
