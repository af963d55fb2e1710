using System.Text.Json.Serialization;

namespace Tcma.Domain;

/// <summary>The social networks a kit can post to: one name for kits, length limits and connectors alike.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SocialNetwork>))]
public enum SocialNetwork { LinkedIn, X, Facebook }
