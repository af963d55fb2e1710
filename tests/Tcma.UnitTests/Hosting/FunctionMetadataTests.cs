using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Functions;
using Tcma.Functions.Hosting;

namespace Tcma.UnitTests.Hosting;

public sealed class FunctionMetadataTests
{
    private static readonly FunctionHandler Noop = (_, _, _) => Task.CompletedTask;

    private static FunctionCatalog Sample() => new([
        new FunctionDefinition("RenderKit", new QueueFunctionTrigger("render-requests"), Noop),
        new FunctionDefinition("LeadSlaSweep", new TimerFunctionTrigger("0 */5 * * * *"), Noop),
        new FunctionDefinition("Console", new HttpFunctionTrigger("console/{*path}", ["GET", "POST"]), null),
    ]);

    [Fact]
    public void Generated_metadata_passes_the_hosts_checks()
    {
        var files = FunctionMetadata.Generate(Sample());
        Assert.Equal(["Console/function.json", "Health/function.json", "LeadSlaSweep/function.json", "RenderKit/function.json", "host.json"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(HostMetadataValidator.Validate(files));
    }

    [Fact]
    public void The_apps_own_declarations_generate_valid_metadata_and_the_same_files_every_time()
    {
        static IReadOnlyDictionary<string, string> FromApp()
        {
            var builder = WebApplication.CreateBuilder();
            builder.AddTcma();
            using var app = builder.Build();
            return FunctionMetadata.Generate(app.Services.GetRequiredService<FunctionCatalog>());
        }
        var first = FromApp();
        Assert.Empty(HostMetadataValidator.Validate(first));
        Assert.Equal(first, FromApp());
    }

    [Fact]
    public void Host_json_carries_the_custom_handler_and_queue_settings()
    {
        var host = JsonNode.Parse(FunctionMetadata.Generate(Sample())["host.json"])!;
        Assert.Equal("Tcma.Functions", host["customHandler"]!["description"]!["defaultExecutablePath"]!.GetValue<string>());
        Assert.True(host["customHandler"]!["enableForwardingHttpRequest"]!.GetValue<bool>());
        Assert.Equal("", host["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
        var queues = host["extensions"]!["queues"]!;
        Assert.Equal(16, queues["batchSize"]!.GetValue<int>());
        Assert.Equal(5, queues["maxDequeueCount"]!.GetValue<int>());
        Assert.Equal("00:00:00", queues["visibilityTimeout"]!.GetValue<string>());
        Assert.Equal("00:00:02", queues["maxPollingInterval"]!.GetValue<string>());
        Assert.Equal("base64", queues["messageEncoding"]!.GetValue<string>());
        Assert.StartsWith("[4.", host["extensionBundle"]!["version"]!.GetValue<string>());
    }

    [Fact]
    public void Queue_names_are_the_production_names_without_the_local_prefix()
    {
        var function = JsonNode.Parse(FunctionMetadata.Generate(Sample())["RenderKit/function.json"])!;
        var binding = function["bindings"]![0]!;
        Assert.Equal("render-requests", binding["queueName"]!.GetValue<string>());
        Assert.Equal("AzureWebJobsStorage", binding["connection"]!.GetValue<string>());
        Assert.Equal("message", binding["name"]!.GetValue<string>());
    }

    [Fact]
    public void The_validator_rejects_what_the_host_would_reject()
    {
        var good = FunctionMetadata.Generate(Sample());
        IReadOnlyDictionary<string, string> With(string path, string json) => new Dictionary<string, string>(good) { [path] = json };
        Assert.NotEmpty(HostMetadataValidator.Validate(With("X/function.json", """{"bindings":[{"type":"timerTrigger","direction":"in","name":"t","schedule":"*/5 * * * *"}]}""")));
        Assert.NotEmpty(HostMetadataValidator.Validate(With("X/function.json", """{"bindings":[{"type":"queueTrigger","direction":"in","name":"m","connection":"AzureWebJobsStorage"}]}""")));
        Assert.NotEmpty(HostMetadataValidator.Validate(With("X/function.json", """{"bindings":[{"type":"queueTriger","direction":"in","name":"m","queueName":"abc","connection":"c"}]}""")));
        Assert.NotEmpty(HostMetadataValidator.Validate(With("X/function.json", """{"bindings":[{"type":"httpTrigger","direction":"in","name":"req","authLevel":"anonymous","methods":[]},{"type":"http","direction":"out","name":"res"}]}""")));
        Assert.NotEmpty(HostMetadataValidator.Validate(With("X/function.json", """{"bindings":[{"type":"queueTrigger","name":"m","queueName":"abc","connection":"c"}]}""")));
        Assert.NotEmpty(HostMetadataValidator.Validate(With("X/function.json", """{"bindings":[{"type":"queueTrigger","direction":"in","name":"m","queueName":"abc","connection":"c"},{"type":"timerTrigger","direction":"in","name":"t","schedule":"0 * * * * *"}]}""")));
    }
}
