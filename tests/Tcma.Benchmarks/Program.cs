using Tcma.Benchmarks;

// One command per benchmark: dotnet run -c Release --project tests/Tcma.Benchmarks -- <name> [options]
var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase);

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.WriteLine("usage: dotnet run -c Release --project tests/Tcma.Benchmarks -- <benchmark> [options]");
    foreach (var b in benchmarks.Values.OrderBy(b => b.Name)) Console.WriteLine($"  {b.Name,-16} {b.Description}");
    return args.Length == 0 ? 0 : 2;
}
await benchmark.RunAsync(args[1..]);
return 0;
