namespace Tcma.Storage.Messaging;

/// <summary>
/// Tells this app instance's local trigger host that it just sent a message, so the queue is polled at once
/// instead of after the idle back-off (the Functions host does the same for messages its own instance sends).
/// </summary>
public sealed class LocalQueueSignal
{
    /// <summary>Raised with the physical queue name of a message that is visible now.</summary>
    public event Action<string>? MessageSent;

    public void Notify(string physicalQueueName) => MessageSent?.Invoke(physicalQueueName);
}
