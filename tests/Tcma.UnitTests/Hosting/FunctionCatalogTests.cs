using Tcma.Functions.Hosting;

namespace Tcma.UnitTests.Hosting;

public sealed class FunctionCatalogTests
{
    private static readonly FunctionHandler Noop = (_, _, _) => Task.CompletedTask;

    [Fact]
    public void Duplicate_names_are_rejected_even_when_cased_differently()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new FunctionCatalog([
            new FunctionDefinition("RenderKit", new QueueFunctionTrigger("a-queue"), Noop),
            new FunctionDefinition("renderkit", new QueueFunctionTrigger("b-queue"), Noop),
        ]));
        Assert.Contains("unique", e.Message);
    }

    [Theory]
    [InlineData("*/5 * * * *")] // five fields: the host wants seconds first
    [InlineData("0 0 25 * * *")]
    [InlineData("not a schedule")]
    public void Schedules_that_are_not_six_field_ncrontab_are_rejected(string schedule)
        => Assert.Throws<InvalidOperationException>(() => new FunctionCatalog([new FunctionDefinition("Sweep", new TimerFunctionTrigger(schedule), Noop)]));

    [Theory]
    [InlineData("Render Kit")]
    [InlineData("1Render")]
    [InlineData("render/kit")]
    public void Names_the_host_cannot_serve_are_rejected(string name)
        => Assert.Throws<InvalidOperationException>(() => new FunctionCatalog([new FunctionDefinition(name, new QueueFunctionTrigger("a-queue"), Noop)]));

    [Theory]
    [InlineData("Render_Queue")]
    [InlineData("ab")]
    [InlineData("render-requests-poison")]
    public void Bad_queue_names_are_rejected(string queue)
        => Assert.Throws<InvalidOperationException>(() => new FunctionCatalog([new FunctionDefinition("Render", new QueueFunctionTrigger(queue), Noop)]));

    [Fact]
    public void Queue_and_timer_functions_need_a_handler()
        => Assert.Throws<InvalidOperationException>(() => new FunctionCatalog([new FunctionDefinition("Render", new QueueFunctionTrigger("a-queue"), null)]));

    [Theory]
    [InlineData("{*path}")]
    [InlineData("{name}")]
    [InlineData("renderkit")]
    [InlineData("RenderKit/{*rest}")]
    public void An_http_route_that_reaches_a_queue_functions_invocation_path_is_rejected(string route)
    {
        var e = Assert.Throws<InvalidOperationException>(() => new FunctionCatalog([
            new FunctionDefinition("RenderKit", new QueueFunctionTrigger("render-requests"), Noop),
            new FunctionDefinition("Site", new HttpFunctionTrigger(route, ["GET"]), null),
        ]));
        Assert.Contains("RenderKit", e.Message);
    }

    [Fact]
    public void Prefixed_feature_routes_never_reach_an_invocation_path()
    {
        var catalog = new FunctionCatalog([
            new FunctionDefinition("RenderKit", new QueueFunctionTrigger("render-requests"), Noop),
            new FunctionDefinition("Sweep", new TimerFunctionTrigger("0 */5 * * * *"), Noop),
            new FunctionDefinition("Console", new HttpFunctionTrigger("console/{*path}", ["GET", "POST"]), null),
            new FunctionDefinition("Api", new HttpFunctionTrigger("api/{*path}", ["GET", "POST", "PUT", "DELETE"]), null),
        ]);
        Assert.Empty(FunctionCatalog.ExposedInvocationPaths(catalog.Functions));
    }

    [Fact]
    public void Health_is_declared_once_whether_or_not_a_capability_declares_it()
    {
        Assert.Contains(new FunctionCatalog([]).Functions, f => f.Name == "Health" && f.Trigger is HttpFunctionTrigger { Route: "health" });
        var own = new FunctionDefinition("Health", new HttpFunctionTrigger("health", ["GET", "HEAD"]), null);
        Assert.Same(own, Assert.Single(new FunctionCatalog([own]).Functions));
    }

    [Fact]
    public void Names_are_found_case_insensitively_as_the_host_routes_them()
    {
        var catalog = new FunctionCatalog([new FunctionDefinition("RenderKit", new QueueFunctionTrigger("render-requests"), Noop)]);
        Assert.Equal("RenderKit", catalog.Find("renderkit")?.Name);
        Assert.Null(catalog.Find("Unknown"));
    }

    [Fact]
    public void Idle_polling_doubles_from_100_ms_up_to_the_maximum()
    {
        var max = TimeSpan.FromSeconds(2);
        var waits = new List<TimeSpan>();
        var current = TimeSpan.Zero;
        for (var i = 0; i < 7; i++) waits.Add(current = QueueTriggerSettings.NextPollingInterval(current, max));
        Assert.Equal([100, 200, 400, 800, 1600, 2000, 2000], waits.Select(w => (int)w.TotalMilliseconds));
    }
}
