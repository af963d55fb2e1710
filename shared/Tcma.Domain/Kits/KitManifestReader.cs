using System.Text;
using System.Text.Json;
using Json.Schema;

namespace Tcma.Domain.Kits;

/// <summary>Reads <c>kit.json</c>: JSON with comments allowed, checked against the published schema, every error with its JSON path.</summary>
public static class KitManifestReader
{
    public const string FileName = "kit.json";

    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(KitManifestReader).Assembly.GetManifestResourceStream("Tcma.Domain.Kits.kit.schema.json")
            ?? throw new InvalidOperationException("kit.schema.json is not embedded");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    });

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new TimeOnlyHhMmConverter() },
    };

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 32,
    };

    public static (KitManifest? Manifest, IReadOnlyList<KitProblem> Problems) Read(byte[] utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
            return (null, [new KitProblem(FileName, where, $"not valid JSON: {FirstSentence(e.Message)}")]);
        }

        using (document)
        {
            var results = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
            if (!results.IsValid)
            {
                var problems = new List<KitProblem>();
                CollectFailures(results, problems);
                problems = problems.Distinct().ToList();
                return (null, problems.Count > 0 ? problems : [new KitProblem(FileName, "$", "the manifest does not match the kit schema")]);
            }
            try
            {
                return (document.RootElement.Deserialize<KitManifest>(Json), []);
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                return (null, [new KitProblem(FileName, (e as JsonException)?.Path ?? "$", FirstSentence(e.Message))]);
            }
        }
    }

    /// <summary>JSON Pointer (/content/emails/0/html) to the JSONPath authors see in editors ($.content.emails[0].html).</summary>
    internal static string ToJsonPath(string pointer)
    {
        var path = new StringBuilder("$");
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Replace("~1", "/").Replace("~0", "~");
            path.Append(int.TryParse(name, out _) ? $"[{name}]" : $".{name}");
        }
        return path.ToString();
    }

    /// <summary>Only failures on a failing path count: a oneOf branch that failed while another passed is no problem.</summary>
    private static void CollectFailures(EvaluationResults node, List<KitProblem> problems)
    {
        if (node.IsValid) return;
        foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
            problems.Add(new KitProblem(FileName, ToJsonPath(node.InstanceLocation.ToString()), Explain(keyword, message)));
        foreach (var child in node.Details ?? [])
            CollectFailures(child, problems);
    }

    private static string Explain(string keyword, string message) => keyword switch
    {
        _ when message.Contains("false schema", StringComparison.Ordinal) => "this property is not part of the kit format (check its spelling)",
        "oneOf" => "a touch names exactly one of 'email' or 'social'",
        _ => message,
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private sealed class TimeOnlyHhMmConverter : System.Text.Json.Serialization.JsonConverter<TimeOnly>
    {
        public override TimeOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => TimeOnly.ParseExact(reader.GetString()!, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, TimeOnly value, JsonSerializerOptions options)
            => writer.WriteStringValue(value.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
    }
}
