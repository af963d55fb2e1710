using System.Text;
using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class WebhookSignatureTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("whsec_test_secret");
    private const string Body = """{"schemaVersion":1,"eventType":"lead.assigned"}""";

    [Fact]
    public void A_signature_looks_like_t_and_v1_and_verifies()
    {
        var header = WebhookSignature.Sign(Body, Secret, Now);
        Assert.Matches($"^t={Now.ToUnixTimeSeconds()},v1=[0-9a-f]{{64}}$", header);
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(header, Body, Secret, Now.AddMinutes(4)));
    }

    [Fact]
    public void It_matches_an_independent_hmac_of_timestamp_dot_body()
    {
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Secret, Encoding.UTF8.GetBytes($"{Now.ToUnixTimeSeconds()}.{Body}")));
        Assert.EndsWith(expected, WebhookSignature.Sign(Body, Secret, Now));
    }

    [Fact]
    public void Any_change_to_the_body_the_timestamp_or_the_secret_is_caught()
    {
        var header = WebhookSignature.Sign(Body, Secret, Now);
        Assert.Equal(SignatureCheck.Mismatch, WebhookSignature.Verify(header, Body.Replace("assigned", "accepted"), Secret, Now));
        Assert.Equal(SignatureCheck.Mismatch, WebhookSignature.Verify(header, Body + " ", Secret, Now));
        Assert.Equal(SignatureCheck.Mismatch, WebhookSignature.Verify(header, Body, Encoding.UTF8.GetBytes("other"), Now));
        var movedTime = header.Replace($"t={Now.ToUnixTimeSeconds()}", $"t={Now.ToUnixTimeSeconds() + 1}");
        Assert.Equal(SignatureCheck.Mismatch, WebhookSignature.Verify(movedTime, Body, Secret, Now));
    }

    [Fact]
    public void Every_single_flipped_hex_digit_is_caught()
    {
        var header = WebhookSignature.Sign(Body, Secret, Now);
        var start = header.IndexOf("v1=", StringComparison.Ordinal) + 3;
        for (var i = start; i < header.Length; i++)
        {
            var flipped = header[..i] + (header[i] == '0' ? '1' : '0') + header[(i + 1)..];
            Assert.Equal(SignatureCheck.Mismatch, WebhookSignature.Verify(flipped, Body, Secret, Now));
        }
    }

    [Fact]
    public void Old_or_future_timestamps_are_refused_as_replays()
    {
        var header = WebhookSignature.Sign(Body, Secret, Now);
        Assert.Equal(SignatureCheck.OutsideTolerance, WebhookSignature.Verify(header, Body, Secret, Now.AddMinutes(6)));
        Assert.Equal(SignatureCheck.OutsideTolerance, WebhookSignature.Verify(header, Body, Secret, Now.AddMinutes(-6)));
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(header, Body, Secret, Now.AddMinutes(6), TimeSpan.FromMinutes(10)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=abc")]
    [InlineData("t=123")]
    [InlineData("t=abc,v1=00")]
    [InlineData("t=1,t=2,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1,v1=zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("garbage")]
    public void Malformed_headers_are_refused(string? header) =>
        Assert.Equal(SignatureCheck.Malformed, WebhookSignature.Verify(header, Body, Secret, Now));

    [Fact]
    public void During_a_secret_rotation_either_signature_verifies()
    {
        var oldSecret = Encoding.UTF8.GetBytes("old");
        var withOld = WebhookSignature.Sign(Body, oldSecret, Now);
        var withNew = WebhookSignature.Sign(Body, Secret, Now);
        var both = $"{withOld},{withNew[(withNew.IndexOf(',') + 1)..]}";
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(both, Body, Secret, Now));
        Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(both, Body, oldSecret, Now));
    }
}
