namespace Tcma.Functions.Hosting;

/// <summary>
/// A clock a demo sets to each step's moment, so services built on it make a history as it would have happened (an
/// acceptance two hours after its offer, a claim after its activity); never set later than the real now.
/// </summary>
internal sealed class StepClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
