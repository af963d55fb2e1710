using System.Text;
using Tcma.Functions.Hosting;
using Tcma.Storage.Messaging;

namespace Tcma.UnitTests.Hosting;

public sealed class InvocationPayloadTests
{
    private static readonly FunctionDefinition Queue = new("RenderKit", new QueueFunctionTrigger("render-requests"), (_, _, _) => Task.CompletedTask);
    private static readonly FunctionDefinition Timer = new("Sweep", new TimerFunctionTrigger("0 */5 * * * *"), (_, _, _) => Task.CompletedTask);

    private static FunctionInvocationEndpoints.ParsedPayload Parse(FunctionDefinition f, string json) => FunctionInvocationEndpoints.ParsePayload(f, Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_queue_message_arrives_the_same_whether_sent_as_a_json_string_or_an_object()
    {
        var asString = Parse(Queue, """{"Data":{"message":"{\"kitId\":\"k1\"}"},"Metadata":{"DequeueCount":2}}""");
        var asObject = Parse(Queue, """{"Data":{"message":{"kitId":"k1"}},"Metadata":{"DequeueCount":"2"}}""");
        Assert.Null(asString.Error);
        Assert.Null(asObject.Error);
        var a = new FunctionInvocation("RenderKit", "1", asString.TriggerData, asString.Metadata);
        var b = new FunctionInvocation("RenderKit", "1", asObject.TriggerData, asObject.Metadata);
        Assert.Equal("""{"kitId":"k1"}""", a.TriggerText);
        Assert.Equal(a.TriggerText, b.TriggerText);
        Assert.Equal(2, a.DequeueCount);
        Assert.Equal(2, b.DequeueCount);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"Metadata":{}}""")]
    [InlineData("""{"Data":[],"Metadata":{}}""")]
    [InlineData("""{"Data":{"other":"x"},"Metadata":{}}""")]
    [InlineData("""{"Data":{"message":"x"},"Metadata":"x"}""")]
    public void Malformed_payloads_are_refused_with_a_reason(string json)
        => Assert.NotNull(Parse(Queue, json).Error);

    [Fact]
    public void A_timer_binding_sent_as_json_text_is_read_as_the_timer_object()
    {
        var parsed = Parse(Timer, """{"Data":{"timer":"{\"IsPastDue\":true}"},"Metadata":{}}""");
        Assert.True(parsed.TriggerData!["IsPastDue"]!.GetValue<bool>());
    }

    [Fact]
    public void Envelopes_round_trip_and_foreign_messages_are_left_alone()
    {
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Assert.True(MessageEnvelope.TryRead(MessageEnvelope.Inline("""{"a":[1,2]}""", traceParent, null), out var inline));
        Assert.Equal("""{"a":[1,2]}""", inline.Body);
        Assert.Equal(traceParent, inline.TraceParent);
        Assert.True(MessageEnvelope.TryRead(MessageEnvelope.ForBlob("q/x.json", null, null), out var blob));
        Assert.Equal("q/x.json", blob.BlobName);
        Assert.Null(blob.Body);
        Assert.False(MessageEnvelope.TryRead("""{"a":1}""", out _));
        Assert.False(MessageEnvelope.TryRead("""{"tcma":2,"body":1}""", out _));
        Assert.False(MessageEnvelope.TryRead("plain text", out _));
        Assert.False(MessageEnvelope.TryRead("{broken", out _));
    }
}
