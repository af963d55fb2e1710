Console.WriteLine("benchmarks: see docs/PERFORMANCE.md");
