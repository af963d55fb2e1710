using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tcma.Functions.Hosting;

namespace Tcma.FunctionalTests.Hosting;

/// <summary>What the Functions host sees when it POSTs to <c>/{FunctionName}</c>.</summary>
public sealed class InvocationContractTests
{
    private static async Task<(FunctionsTestApp App, Invocations Seen)> StartAsync()
    {
        var seen = new Invocations();
        var app = await FunctionsTestApp.StartAsync(services =>
        {
            services.AddFunction(new FunctionDefinition("Echo", new QueueFunctionTrigger("echo-test"), (i, _, _) => { seen.Add(i); return Task.CompletedTask; }));
            services.AddFunction(new FunctionDefinition("Broken", new QueueFunctionTrigger("broken-test"), (_, _, _) => throw new InvalidOperationException("secret detail")));
        }, overrides: new Dictionary<string, string?> { ["LocalTriggerHost:Enabled"] = "false" });
        return (app, seen);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_queue_invocation_replies_with_outputs_logs_and_return_value_for_string_and_object_data()
    {
        var (app, seen) = await StartAsync();
        await using var _ = app;
        var client = app.CreateClient();

        var asString = await client.PostAsync("/Echo", Json("""{"Data":{"message":"{\"a\":1}"},"Metadata":{"DequeueCount":1,"Id":"m1"}}"""));
        var asObject = await client.PostAsync("/echo", Json("""{"Data":{"message":{"a":1}},"Metadata":{"DequeueCount":"1","Id":"m2"}}"""));

        foreach (var response in new[] { asString, asObject })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var reply = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            Assert.IsType<JsonObject>(reply["Outputs"]);
            Assert.IsType<JsonArray>(reply["Logs"]);
            Assert.True(reply.ContainsKey("ReturnValue"));
            Assert.Null(reply["ReturnValue"]);
        }
        Assert.All(seen.All, s => Assert.Equal("""{"a":1}""", s.Invocation.TriggerText));
    }

    [Fact]
    public async Task Bad_requests_get_a_clear_problem_details_answer()
    {
        var (app, seen) = await StartAsync();
        await using var _ = app;
        var client = app.CreateClient();

        async Task Expect(HttpStatusCode status, HttpResponseMessage response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
            Assert.Equal((int)status, problem!["status"]!.GetValue<int>());
        }

        await Expect(HttpStatusCode.NotFound, await client.PostAsync("/NoSuchFunction", Json("""{"Data":{},"Metadata":{}}""")));
        await Expect(HttpStatusCode.MethodNotAllowed, await client.GetAsync("/Echo"));
        await Expect(HttpStatusCode.BadRequest, await client.PostAsync("/Echo", Json("{ not json")));
        await Expect(HttpStatusCode.BadRequest, await client.PostAsync("/Echo", Json("""{"Data":{"wrong":"x"},"Metadata":{}}""")));
        var oversized = "{\"Data\":{\"message\":\"" + new string('x', FunctionInvocationEndpoints.MaxRequestBytes) + "\"},\"Metadata\":{}}";
        await Expect(HttpStatusCode.RequestEntityTooLarge, await client.PostAsync("/Echo", Json(oversized)));
        Assert.Empty(seen.All);
    }

    [Fact]
    public async Task A_failing_function_fails_the_invocation_without_leaking_the_exception()
    {
        var (app, _) = await StartAsync();
        await using var __ = app;

        var response = await app.CreateClient().PostAsync("/Broken", Json("""{"Data":{"message":"x"},"Metadata":{"DequeueCount":1}}"""));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("secret detail", await response.Content.ReadAsStringAsync());
        await app.Logs.WaitForAsync(m => m.Contains("Broken failed"));
    }

    [Fact]
    public async Task Everything_a_function_logs_carries_the_invocation_id_and_function_name()
    {
        await using var app = await FunctionsTestApp.StartAsync(services => services.AddFunction(new FunctionDefinition("Scoped", new QueueFunctionTrigger("scoped-test"),
            (_, sp, _) =>
            {
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Test").LogInformation("inside the handler {Marker}", "m-42");
                return Task.CompletedTask;
            })), overrides: new Dictionary<string, string?> { ["LocalTriggerHost:Enabled"] = "false" });
        var request = new HttpRequestMessage(HttpMethod.Post, "/Scoped") { Content = Json("""{"Data":{"message":"x"},"Metadata":{}}""") };
        request.Headers.Add(FunctionInvocationEndpoints.InvocationIdHeader, "inv-123");

        var response = await app.CreateClient().SendAsync(request);

        response.EnsureSuccessStatusCode();
        var (_, scope) = Assert.Single(app.Logs.Scoped, e => e.Message.Contains("m-42"));
        Assert.Equal("inv-123", scope["InvocationId"]);
        Assert.Equal("Scoped", scope["FunctionName"]);
    }

    [Fact]
    public async Task Under_kestrel_the_local_trigger_host_invokes_through_the_loopback_address()
    {
        var seen = new Invocations();
        await using var app = await FunctionsTestApp.StartAsync(
            services => services.AddFunction(new FunctionDefinition("Echo", new QueueFunctionTrigger("echo-test"), (i, _, _) => { seen.Add(i); return Task.CompletedTask; })),
            kestrel: true);

        await app.Services.GetRequiredService<Tcma.Storage.Messaging.IMessageSender>().SendAsync("echo-test", new { Hello = "kestrel" });

        var invocation = (await seen.WaitForAsync(1))[0].Invocation;
        Assert.Equal("""{"Hello":"kestrel"}""", invocation.TriggerText);
    }
}
