using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Tcma.Domain.Rendering;

namespace Tcma.Rendering.Images;

/// <summary>A problem found while loading or rendering, with the file and the place in it a marketer can go to.</summary>
public sealed record RenderIssue(string File, string Place, string Message)
{
    public override string ToString() => Place.Length == 0 ? $"{File}: {Message}" : $"{File}, {Place}: {Message}";
}

/// <summary>Limits on what a template may ask for, so one bad kit cannot exhaust a render worker.</summary>
public sealed record RenderLimits(int MaxCanvasSide = 4096, long MaxImageBytes = 10 * 1024 * 1024, long MaxImagePixels = 25_000_000, int MaxLayers = 64, int MaxPdfPages = 2,
    int MaxImageSide = 16384, int MaxImageMetadataBytes = 1024 * 1024)
{
    public static RenderLimits Default { get; } = new();
}

/// <summary>Parses and checks a template authored by hand: every error names the file and the layer.</summary>
public static class TemplateLoader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private static readonly Dictionary<string, Type> LayerTypes = new(StringComparer.Ordinal)
    {
        ["fill"] = typeof(FillLayer), ["gradient"] = typeof(GradientLayer), ["image"] = typeof(ImageLayer),
        ["logo"] = typeof(LogoLayer), ["text"] = typeof(TextLayer), ["shape"] = typeof(ShapeLayer), ["qr"] = typeof(QrLayer),
    };

    public sealed class TemplateException(IReadOnlyList<RenderIssue> errors)
        : Exception(string.Join(Environment.NewLine, errors))
    {
        public IReadOnlyList<RenderIssue> Errors { get; } = errors;
    }

    public static ImageTemplate Load(string fileName, string json, IKitFiles kit, RenderLimits? limits = null)
    {
        var (template, errors) = TryLoad(fileName, json, kit, limits);
        return template ?? throw new TemplateException(errors);
    }

    public static (ImageTemplate? Template, IReadOnlyList<RenderIssue> Errors) TryLoad(string fileName, string json, IKitFiles kit, RenderLimits? limits = null)
    {
        limits ??= RenderLimits.Default;
        var errors = new List<RenderIssue>();
        void Error(string place, string message) => errors.Add(new(fileName, place, message));

        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }) as JsonObject
                   ?? throw new JsonException("the file must hold one JSON object { ... }");
        }
        catch (JsonException e)
        {
            Error(e.LineNumber is { } line ? $"line {line + 1}, column {e.BytePositionInLine + 1}" : "", $"is not valid JSON: {FirstSentence(e.Message)}");
            return (null, errors);
        }

        foreach (var key in root.Select(p => p.Key).Where(k => k is not ("name" or "sizes" or "formats" or "jpegQuality" or "webpQuality" or "layers" or "pdf")))
            Error(key, "is not a template property; expected name, sizes, formats, jpegQuality, webpQuality, layers, pdf");

        var name = root["name"]?.GetValueKind() == JsonValueKind.String ? root["name"]!.GetValue<string>() : null;
        if (string.IsNullOrWhiteSpace(name)) Error("name", "is required");

        var sizes = new List<RenderSize>();
        if (root["sizes"] is JsonArray sizeArray)
        {
            for (var i = 0; i < sizeArray.Count; i++)
            {
                var s = sizeArray[i] as JsonObject;
                int? Dim(string k) => s?[k] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
                var (w, h) = (Dim("width"), Dim("height"));
                if (w is null || h is null || w < 16 || h < 16 || w > limits.MaxCanvasSide || h > limits.MaxCanvasSide)
                    Error($"sizes[{i}]", $"must be {{\"width\": W, \"height\": H}} with whole numbers from 16 to {limits.MaxCanvasSide}");
                else if (sizes.Contains(new(w.Value, h.Value))) Error($"sizes[{i}]", $"{w}x{h} is listed twice");
                else sizes.Add(new(w.Value, h.Value));
            }
        }
        var formats = new List<ImageFormat>();
        if (root["formats"] is JsonArray formatArray)
        {
            for (var i = 0; i < formatArray.Count; i++)
            {
                var f = formatArray[i]?.GetValueKind() == JsonValueKind.String ? formatArray[i]!.GetValue<string>() : null;
                switch (f)
                {
                    case "png": formats.Add(ImageFormat.Png); break;
                    case "jpeg" or "jpg": formats.Add(ImageFormat.Jpeg); break;
                    case "webp": formats.Add(ImageFormat.Webp); break;
                    default: Error($"formats[{i}]", $"'{f}' is not a format; use png, jpeg or webp"); break;
                }
            }
        }
        int Quality(string key, int fallback)
        {
            if (root[key] is null) return fallback;
            if (root[key] is JsonValue v && v.TryGetValue<int>(out var q) && q is >= 1 and <= 100) return q;
            Error(key, "must be a whole number from 1 to 100");
            return fallback;
        }
        if (root["formats"] is null) formats.Add(ImageFormat.Png);
        var jpegQuality = Quality("jpegQuality", 85);
        var webpQuality = Quality("webpQuality", 80);

        var layersBySize = ImmutableDictionary.CreateBuilder<RenderSize, ImmutableArray<Layer>>();
        var layerArray = root["layers"] as JsonArray;
        if (sizes.Count > 0 && (layerArray is null || layerArray.Count == 0)) Error("layers", "is required: a list of layers drawn bottom to top");
        if (sizes.Count == 0 && root["pdf"] is null) Error("sizes", "is required unless the template is a PDF only: e.g. [{\"width\": 1200, \"height\": 628}]");
        if (layerArray is { Count: > 0 } && layerArray.Count > limits.MaxLayers) Error("layers", $"has {layerArray.Count} layers; the limit is {limits.MaxLayers}");
        else if (layerArray is not null)
        {
            foreach (var size in sizes)
                layersBySize[size] = ParseLayers(layerArray, "layers", size, kit, limits, Error, reportOnce: size == sizes[0]);
            if (sizes.Count == 0) ParseLayers(layerArray, "layers", null, kit, limits, Error, reportOnce: true);
        }

        PdfForm? pdf = null;
        if (root["pdf"] is JsonObject pdfObject)
        {
            double Points(string k, double fallback) => pdfObject[k] is JsonValue v && v.TryGetValue<double>(out var d) ? d : fallback;
            var (width, height) = (Points("width", 612), Points("height", 792));
            if (width is < 72 or > 2000 || height is < 72 or > 2000) Error("pdf", "width and height are points (1/72 inch) from 72 to 2000, e.g. 612 x 792 for US Letter");
            var pages = ImmutableArray.CreateBuilder<ImmutableArray<Layer>>();
            if (pdfObject["pages"] is not JsonArray pageArray || pageArray.Count == 0 || pageArray.Count > limits.MaxPdfPages)
                Error("pdf.pages", $"must list 1 to {limits.MaxPdfPages} pages, each {{\"layers\": [...]}}");
            else
                for (var p = 0; p < pageArray.Count; p++)
                {
                    if (pageArray[p]?["layers"] is JsonArray pageLayers) pages.Add(ParseLayers(pageLayers, $"pdf.pages[{p}].layers", null, kit, limits, Error, reportOnce: true));
                    else Error($"pdf.pages[{p}]", "must be {\"layers\": [...]}");
                }
            pdf = new PdfForm(width, height, pages.ToImmutable());
        }
        else if (root["pdf"] is not null) Error("pdf", "must be an object {\"width\", \"height\", \"pages\"}");

        if (errors.Count > 0) return (null, errors);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        return (new ImageTemplate(fileName, name!, sha, [.. sizes], [.. formats.Distinct()], jpegQuality, webpQuality, layersBySize.ToImmutable(), pdf), errors);
    }

    /// <summary>
    /// Every kit file a template names (text layers' fonts, image layers' files, in any size's "at" and the PDF form),
    /// read from its JSON even when the template has other errors: what the kit uses decides what it may hold.
    /// </summary>
    public static IEnumerable<Tcma.Domain.Kits.TemplateFileReference> FileReferences(string fileName, string json)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException) { yield break; }
        var layerLists = new List<JsonArray>();
        if (root?["layers"] is JsonArray layers) layerLists.Add(layers);
        if (root?["pdf"]?["pages"] is JsonArray pages)
            layerLists.AddRange(pages.Select(p => p?["layers"]).OfType<JsonArray>());
        foreach (var layer in layerLists.SelectMany(l => l).OfType<JsonObject>())
        {
            var places = new List<JsonObject> { layer };
            if (layer["at"] is JsonObject at) places.AddRange(at.Select(p => p.Value).OfType<JsonObject>());
            foreach (var place in places)
            {
                if (place["font"] is JsonValue font && font.TryGetValue<string>(out var fontFile))
                    yield return new(fileName, fontFile, Tcma.Domain.Kits.KitFileKind.Font);
                if (place["file"] is JsonValue file && file.TryGetValue<string>(out var imageFile))
                    yield return new(fileName, imageFile, Tcma.Domain.Kits.KitFileKind.Image);
            }
        }
    }

    private static ImmutableArray<Layer> ParseLayers(JsonArray array, string path, RenderSize? size, IKitFiles kit, RenderLimits limits, Action<string, string> error, bool reportOnce)
    {
        var layers = ImmutableArray.CreateBuilder<Layer>();
        // Errors that do not depend on the size are reported once, not once per size.
        var sizeLabel = size is { } s ? $" (size {s})" : "";
        for (var i = 0; i < array.Count; i++)
        {
            var place = $"{path}[{i}]";
            if (array[i] is not JsonObject raw) { if (reportOnce) error(place, "must be an object with a \"type\""); continue; }
            var type = raw["type"]?.GetValueKind() == JsonValueKind.String ? raw["type"]!.GetValue<string>() : null;
            if (raw["name"]?.GetValueKind() == JsonValueKind.String) place += $" '{raw["name"]!.GetValue<string>()}'";
            if (type is null || !LayerTypes.TryGetValue(type, out var clrType))
            {
                if (reportOnce) error(place, $"unknown layer type '{type}'; use one of {string.Join(", ", LayerTypes.Keys)}");
                continue;
            }
            // A layer may adjust itself for one output size: "at": {"600x200": {"box": {...}, "size": 28}}.
            var merged = (JsonObject)raw.DeepClone();
            merged.Remove("type");
            var at = merged["at"];
            merged.Remove("at");
            if (at is JsonObject overrides)
            {
                foreach (var (key, value) in overrides)
                {
                    if (value is not JsonObject o) { if (reportOnce) error($"{place}.at.{key}", "must be an object of layer properties"); continue; }
                    if (size is { } sz && key == sz.ToString())
                        foreach (var (k, v) in o) merged[k] = v?.DeepClone();
                }
            }
            else if (at is not null && reportOnce) error($"{place}.at", "must map sizes such as \"600x200\" to layer properties");

            Layer layer;
            try { layer = (Layer)merged.Deserialize(clrType, Json)!; }
            catch (JsonException e)
            {
                error(place + sizeLabel, $"{type} layer: {FirstSentence(e.Message)}");
                continue;
            }
            layer.Place = place;
            var before = 0;
            void LayerError(string message) { before++; error(place + sizeLabel, message); }
            Check(layer, kit, limits, LayerError);
            if (before == 0 && !layer.Hidden) layers.Add(layer);
        }
        return layers.ToImmutable();
    }

    private static void Check(Layer layer, IKitFiles kit, RenderLimits limits, Action<string> error)
    {
        var b = layer.Box;
        if (b is null || b.W <= 0 || b.H <= 0 || b.X < 0 || b.Y < 0 || b.X + b.W > 1.0001 || b.Y + b.H > 1.0001)
            error("box must be {\"x\", \"y\", \"w\", \"h\"} as fractions of the canvas, inside 0..1");
        void ColourRef(string property, string? value, bool optional = false)
        {
            if (value is null && optional) return;
            if (value is "brand.primary" or "brand.secondary") return;
            if (!Colour.TryParse(value, out _, out var message)) error($"{property} {message}, or brand.primary / brand.secondary");
        }
        switch (layer)
        {
            case FillLayer f: ColourRef("colour", f.Colour); break;
            case GradientLayer g: ColourRef("from", g.From); ColourRef("to", g.To); break;
            case ShapeLayer s:
                ColourRef("colour", s.Colour); ColourRef("strokeColour", s.StrokeColour, optional: true);
                if (s.Radius < 0 || s.StrokeWidth < 0) error("radius and strokeWidth cannot be negative");
                break;
            case QrLayer q:
                ColourRef("colour", q.Colour); ColourRef("background", q.Background);
                if (string.IsNullOrWhiteSpace(q.Url)) error("url is required (a Liquid expression giving the tracked link)");
                break;
            case LogoLayer l:
                if (l.Plate is not ("auto" or "none")) ColourRef("plate", l.Plate);
                if (l.Padding < 0) error("padding cannot be negative");
                break;
            case ImageLayer im:
                if (im.Fit is not ("cover" or "contain")) error($"fit '{im.Fit}' must be cover or contain");
                var bytes = kit.Read(im.File);
                if (bytes is null) error($"image '{im.File}' is not in the kit (version {kit.Version})");
                else if (bytes.Length > limits.MaxImageBytes) error($"image '{im.File}' is {bytes.Length:N0} bytes; the limit is {limits.MaxImageBytes:N0}");
                else if (!KitAssetChecks.TryReadSize(bytes, out var w, out var h, out var why, limits)) error($"image '{im.File}': {why}");
                else if ((long)w * h > limits.MaxImagePixels) error($"image '{im.File}' is {w}x{h} pixels; the limit is {limits.MaxImagePixels:N0} pixels");
                break;
            case TextLayer t:
                if (string.IsNullOrWhiteSpace(t.Text)) error("text is required (a Liquid expression such as {{ partner.company_name }})");
                if (string.IsNullOrWhiteSpace(t.Font)) error("font is required: the name of a font file in the kit");
                else if (kit.Read(t.Font) is null) error($"font '{t.Font}' is not in the kit (version {kit.Version}); add the font file to the kit or name one it has");
                if (t.Size <= 0 || t.MinSize <= 0 || t.MinSize > t.Size) error($"size ({t.Size}) and minSize ({t.MinSize}) must be positive with minSize <= size");
                if (t.MinSize < 8) error($"minSize {t.MinSize} px is below 8 px, too small to read");
                if (t.LineHeight is < 0.8 or > 3) error("lineHeight must be between 0.8 and 3");
                if (t.Align is not ("left" or "center" or "right")) error($"align '{t.Align}' must be left, center or right");
                if (t.VerticalAlign is not ("top" or "middle" or "bottom")) error($"verticalAlign '{t.VerticalAlign}' must be top, middle or bottom");
                ColourRef("colour", t.Colour); ColourRef("fallbackColour", t.FallbackColour, optional: true);
                break;
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
