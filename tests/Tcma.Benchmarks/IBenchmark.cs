namespace Tcma.Benchmarks;

/// <summary>A benchmark that prints its figures; found by reflection, run by name.</summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    Task RunAsync(string[] args);
}
