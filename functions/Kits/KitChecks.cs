using System.Text;
using Tcma.Domain.Kits;
using Tcma.Rendering.Images;
using Tcma.Rendering.Liquid;

namespace Tcma.Functions.Kits;

/// <summary>
/// Every check a kit must pass before it is stored, reported all at once: files no kit may hold (archives, SVG,
/// what an operating system adds), the manifest against the schema, the references and schedule, every file by its
/// content for what it is used as (pictures decoded, fonts loaded, text files UTF-8), files nothing uses, every
/// Liquid part (emails, posts, landing page, consent text), and every image template.
/// </summary>
public static class KitChecks
{
    /// <summary>What one upload may decode in all: enough for dozens of full-page print pictures, not for an afternoon of decoding.</summary>
    public const long MaxKitPicturePixels = 100_000_000;

    public static (KitManifest? Manifest, IReadOnlyList<KitProblem> Problems) Check(KitFiles files)
    {
        if (!files.Files.TryGetValue(KitManifestReader.FileName, out var manifestBytes))
            return (null, [new KitProblem(KitManifestReader.FileName, "", "the kit has no kit.json at its root")]);
        // Files no kit may hold, whatever the manifest says, are reported with the manifest's problems.
        var refused = files.Files.Select(f => (f.Key, Problem: Forbidden(f.Key, f.Value))).Where(f => f.Problem is not null)
            .ToDictionary(f => f.Key, f => f.Problem!, StringComparer.Ordinal);
        IEnumerable<KitProblem> Refused() => refused.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new KitProblem(r.Key, "", r.Value));
        if (KitFileContent.TextProblem(manifestBytes) is { } notText)
            return (null, [new KitProblem(KitManifestReader.FileName, "", notText), .. Refused()]);
        var (manifest, problems) = KitManifestReader.Read(manifestBytes);
        if (manifest is null) return (null, [.. problems, .. Refused()]);

        var all = new List<KitProblem>(KitValidator.Check(manifest, files));
        string Text(string path) => files.Files.TryGetValue(path, out var bytes) ? Encoding.UTF8.GetString(bytes) : "";
        bool Usable(string path) => files.Files.ContainsKey(path) && !refused.ContainsKey(path);

        // What each file is used as decides how its content is checked; a file nothing uses is not stored.
        var references = manifest.Content.Images
            .Where(i => files.Files.TryGetValue(i.Template, out var json) && KitFileContent.TextProblem(json) is null)
            .SelectMany(i => TemplateLoader.FileReferences(i.Template, Text(i.Template)));
        var uses = KitFileUse.Assign(manifest, references, files);
        var pixelsLeft = MaxKitPicturePixels;
        foreach (var (path, bytes) in files.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (refused.ContainsKey(path)) continue;
            if (!uses.TryGetValue(path, out var kinds))
            {
                refused[path] = KitFileUse.NotUsed;
                continue;
            }
            foreach (var kind in kinds.Where(k => k != KitFileKind.Manifest).Order())
            {
                string? problem;
                if (kind == KitFileKind.Image)
                {
                    (problem, var pixels) = KitAssetChecks.Picture(bytes, path, RenderLimits.Default, pixelsLeft);
                    pixelsLeft -= pixels;
                }
                else problem = kind == KitFileKind.Font ? KitAssetChecks.Font(bytes, path) : KitFileContent.TextProblem(bytes);
                if (problem is null) continue;
                refused[path] = problem;
                break;
            }
        }
        all.AddRange(Refused());

        void Liquid(IEnumerable<LiquidError> errors) =>
            all.AddRange(errors.Select(e => new KitProblem(e.File, $"line {e.Line}, column {e.Column}", e.Message)));
        for (var i = 0; i < manifest.Content.Emails.Count; i++)
        {
            var email = manifest.Content.Emails[i];
            if (refused.ContainsKey(email.Html) || refused.ContainsKey(email.Text)) continue;
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
        foreach (var post in manifest.Content.Social.Where(p => !refused.ContainsKey(p.Text)))
            Liquid(LiquidTemplate.Parse(Text(post.Text), post.Text, LiquidContentKind.Text).Errors);
        if (manifest.Content.LandingPage is { } page)
        {
            if (!refused.ContainsKey(page.Html)) Liquid(LiquidTemplate.Parse(Text(page.Html), page.Html, LiquidContentKind.Html).Errors);
            Liquid(LiquidTemplate.Parse(page.Form.ConsentText, "kit.json consentText", LiquidContentKind.Text).Errors);
        }

        var kitFiles = new InMemoryKitFiles("validation", files.Files);
        foreach (var image in manifest.Content.Images.Where(i => Usable(i.Template)))
        {
            try
            {
                TemplateLoader.Load(image.Template, Text(image.Template), kitFiles);
            }
            catch (TemplateLoader.TemplateException e)
            {
                // A refused picture or font is reported once, as itself, not again by each template that names it.
                all.AddRange(e.Errors.Where(x => !refused.Keys.Any(r => x.Message.Contains($"'{r}'", StringComparison.Ordinal)))
                    .Select(x => new KitProblem(x.File, x.Place, x.Message)));
            }
        }
        return (all.Count == 0 ? manifest : null, all);
    }

    /// <summary>What no kit holds, whatever its name or use: archives (a kit is unpacked once), SVG, and operating systems' leftovers.</summary>
    private static string? Forbidden(string path, byte[] bytes)
    {
        if (KitFileContent.OperatingSystemLeftover(path) is { } leftover) return leftover;
        if (KitFileContent.ArchiveOf(bytes) is { } archive)
            return $"this file is {archive}; a kit holds no archive inside it: unpack it into the kit's folders and zip the kit once";
        if (KitFileContent.IsArchiveName(path))
            return "this file is named as an archive; a kit holds no archive inside it: unpack it into the kit's folders and zip the kit once";
        if (KitFileContent.IsSvg(bytes) || Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
            return "SVG is not a kit file: an SVG can carry scripts, event handlers and links to other files, and templates draw pictures only; export it as PNG";
        return null;
    }

    /// <summary>A kit folder as an author keeps it, read the same way as an uploaded zip's entries.</summary>
    public static KitFiles ReadFolder(string folder) => new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
        .ToDictionary(path => Path.GetRelativePath(folder, path).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal));
}
