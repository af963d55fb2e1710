using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Hosting;

namespace Tcma.FunctionalTests.Hosting;

/// <summary>
/// In Azure, the Functions host forwards a request only when its path matches a declared HTTP function. An endpoint
/// no declaration covers works locally and is unreachable in production; a host-only invocation path that one covers
/// is open to anyone. Both are checked over every endpoint the real app maps.
/// </summary>
public sealed class PublicRoutesTests
{
    private static string SamplePath(string pattern) =>
        "/" + string.Join('/', pattern.Trim('/').Split('/').Select(segment => segment.StartsWith('{') ? "x" : segment));

    [Fact]
    public async Task Every_endpoint_the_app_maps_is_reachable_through_a_declared_http_function_and_no_invocation_path_is()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var catalog = app.Services.GetRequiredService<FunctionCatalog>();
        var matchers = catalog.Functions.Select(f => f.Trigger).OfType<HttpFunctionTrigger>()
            .Select(h => (h, new TemplateMatcher(TemplateParser.Parse(h.Route), new RouteValueDictionary())))
            .ToList();
        bool Reachable(string path, string? method) => matchers.Any(m =>
            m.Item2.TryMatch(path, new RouteValueDictionary()) && (method is null || m.h.Methods.Contains(method, StringComparer.OrdinalIgnoreCase)));

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        var unreachable = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = SamplePath(endpoint.RoutePattern.RawText ?? "/");
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            if (endpoint.Metadata.GetMetadata<HostInvocationEndpoint>() is not null)
            {
                Assert.False(Reachable(path, null), $"{path} is a host-only invocation path but an HTTP function forwards it");
                continue;
            }
            foreach (var method in methods.DefaultIfEmpty("GET"))
                if (!Reachable(path, method)) unreachable.Add($"{method} {endpoint.RoutePattern.RawText} ({endpoint.DisplayName})");
        }
        Assert.True(unreachable.Count == 0, "not reachable through any HTTP function in Azure:\n" + string.Join("\n", unreachable));
        Assert.Contains(endpoints, e => e.Metadata.GetMetadata<HostInvocationEndpoint>() is not null);
    }
}
