using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Functions.Hosting;

namespace Tcma.FunctionalTests.Hosting;

public sealed class MetadataCommandTests
{
    [Fact]
    public async Task The_generate_metadata_command_writes_exactly_what_the_running_app_declares()
    {
        await using var app = await FunctionsTestApp.StartAsync(overrides: new Dictionary<string, string?> { ["LocalTriggerHost:Enabled"] = "false" });
        var expected = FunctionMetadata.Generate(app.Services.GetRequiredService<FunctionCatalog>());
        var dir = Directory.CreateTempSubdirectory("tcma-publish").FullName;
        try
        {
            var appDll = Path.Combine(AppContext.BaseDirectory, "Tcma.Functions.dll");
            using var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", appDll, "generate-metadata", dir])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment = { ["DOTNET_ENVIRONMENT"] = "Production", ["LocalTriggerHost__Enabled"] = "false" },
            })!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(process.ExitCode == 0, await stderr);

            var written = Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllText);
            Assert.Equal(expected.OrderBy(f => f.Key, StringComparer.Ordinal), written.OrderBy(f => f.Key, StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Write_replaces_stale_function_folders_and_keeps_other_files()
    {
        var sample = new FunctionCatalog([new FunctionDefinition("RenderKit", new QueueFunctionTrigger("render-requests"), (_, _, _) => Task.CompletedTask)]);
        var dir = Directory.CreateTempSubdirectory("tcma-meta").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "Removed"));
            File.WriteAllText(Path.Combine(dir, "Removed", "function.json"), "{}");
            File.WriteAllText(Path.Combine(dir, "Tcma.Functions.dll"), "binary");
            FunctionMetadata.Write(sample, dir);
            Assert.False(Directory.Exists(Path.Combine(dir, "Removed")));
            Assert.True(File.Exists(Path.Combine(dir, "Tcma.Functions.dll")));
            Assert.Equal(FunctionMetadata.Generate(sample)["RenderKit/function.json"], File.ReadAllText(Path.Combine(dir, "RenderKit", "function.json")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
