using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tcma.Storage;

namespace Tcma.Functions.Hosting;

/// <summary>
/// Generates <c>host.json</c> and <c>&lt;FunctionName&gt;/function.json</c> from the declarations, byte for byte
/// the same on every run, so a publish folder is zip-deployable to the Functions host.
/// </summary>
public static class FunctionMetadata
{
    public const string ExecutableName = "Tcma.Functions";
    public const string Command = "generate-metadata";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NewLine = "\n" };

    /// <summary>Relative path (with '/') to file content.</summary>
    public static IReadOnlyDictionary<string, string> Generate(FunctionCatalog catalog, QueueTriggerSettings? queues = null)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host.json"] = Serialize(HostJson(queues ?? QueueTriggerSettings.Default)) };
        foreach (var function in catalog.Functions)
            files[$"{function.Name}/function.json"] = Serialize(FunctionJson(function));
        return files;
    }

    public static JsonObject HostJson(QueueTriggerSettings queues) => new()
    {
        ["version"] = "2.0",
        ["extensionBundle"] = new JsonObject
        {
            ["id"] = "Microsoft.Azure.Functions.ExtensionBundle",
            ["version"] = "[4.*, 5.0.0)",
        },
        ["customHandler"] = new JsonObject
        {
            ["description"] = new JsonObject
            {
                ["defaultExecutablePath"] = ExecutableName,
                ["workingDirectory"] = "",
                ["arguments"] = new JsonArray(),
            },
            ["enableForwardingHttpRequest"] = true,
        },
        ["extensions"] = new JsonObject
        {
            // Empty, so the app's own paths (console/..., api/..., health) are served unchanged.
            ["http"] = new JsonObject { ["routePrefix"] = "" },
            ["queues"] = new JsonObject
            {
                ["batchSize"] = queues.BatchSize,
                ["newBatchThreshold"] = queues.NewBatchThreshold,
                ["maxDequeueCount"] = queues.MaxDequeueCount,
                ["visibilityTimeout"] = queues.VisibilityTimeout.ToString("c"),
                ["maxPollingInterval"] = queues.MaxPollingInterval.ToString("c"),
                ["messageEncoding"] = queues.MessageEncoding,
            },
        },
    };

    public static JsonObject FunctionJson(FunctionDefinition function)
    {
        var bindings = new JsonArray();
        switch (function.Trigger)
        {
            case QueueFunctionTrigger q:
                bindings.Add(new JsonObject
                {
                    ["type"] = "queueTrigger",
                    ["direction"] = "in",
                    ["name"] = q.BindingName,
                    // The production name: the per-run prefix exists only locally.
                    ["queueName"] = q.Queue,
                    ["connection"] = StorageAccount.SettingName,
                });
                break;
            case TimerFunctionTrigger t:
                var timer = new JsonObject
                {
                    ["type"] = "timerTrigger",
                    ["direction"] = "in",
                    ["name"] = t.BindingName,
                    ["schedule"] = t.Schedule,
                };
                if (t.RunOnStartup) timer["runOnStartup"] = true;
                bindings.Add(timer);
                break;
            case HttpFunctionTrigger h:
                bindings.Add(new JsonObject
                {
                    ["type"] = "httpTrigger",
                    ["direction"] = "in",
                    ["name"] = "req",
                    ["authLevel"] = "anonymous",
                    ["methods"] = new JsonArray(h.Methods.Select(m => (JsonNode)JsonValue.Create(m.ToLowerInvariant())).ToArray()),
                    ["route"] = h.Route,
                });
                bindings.Add(new JsonObject { ["type"] = "http", ["direction"] = "out", ["name"] = "res" });
                break;
        }
        return new JsonObject { ["bindings"] = bindings };
    }

    private static string Serialize(JsonNode node) => node.ToJsonString(Indented) + "\n";

    /// <summary>Writes the files into <paramref name="directory"/> and removes function folders no longer declared.</summary>
    public static IReadOnlyCollection<string> Write(FunctionCatalog catalog, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = Generate(catalog);
        var declared = catalog.Functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Directory.EnumerateDirectories(directory)
                     .Where(d => File.Exists(Path.Combine(d, "function.json")) && !declared.Contains(Path.GetFileName(d))))
            Directory.Delete(stale, recursive: true);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(directory, path.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        return files.Keys.ToList();
    }

    /// <summary>
    /// <c>Tcma.Functions generate-metadata &lt;dir&gt;</c>: builds the app's services (nothing starts) and writes the
    /// metadata from the same declarations the running app uses. Returns the process exit code.
    /// </summary>
    public static int RunCommand(IServiceProvider services, string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine($"usage: {ExecutableName} {Command} <directory>");
            return 2;
        }
        var written = Write(services.GetRequiredService<FunctionCatalog>(), args[1]);
        Console.WriteLine($"wrote {written.Count} function metadata files to {Path.GetFullPath(args[1])}");
        return 0;
    }

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == Command;
}
