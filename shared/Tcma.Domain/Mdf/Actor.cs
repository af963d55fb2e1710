using System.Text.Json.Serialization;
namespace Tcma.Domain.Mdf;

/// <summary>
/// Who did something and from where. <see cref="PartnerId"/> is set for a partner's users; the IP and user agent
/// come from the request that carried the action (the confirm page, the console) and go into the history as they are.
/// </summary>
public sealed record Actor(string UserId, string? PartnerId = null, string? Ip = null, string? UserAgent = null)
{
    public static Actor System(string what) => new($"system:{what}");
    [JsonIgnore] public bool IsSystem => UserId.StartsWith("system:", StringComparison.Ordinal);
}
