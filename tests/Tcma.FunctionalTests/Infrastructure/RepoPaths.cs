using System.Reflection;

namespace Tcma.FunctionalTests.Infrastructure;

public static class RepoPaths
{
    public static string Root { get; } = typeof(RepoPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public static string NodeBin(string tool) => Path.Combine(Root, "node_modules", ".bin", tool);
}
