using System.Text.Json.Serialization;

namespace Tcma.Domain.Kits;

/// <summary>
/// The kit's manifest (<c>kit.json</c>), as a marketer writes it. Its shape is published as
/// <c>campaign-templates/kit.schema.json</c>; the reference is <c>docs/KIT-FORMAT.md</c>.
/// </summary>
public sealed record KitManifest
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required string Vendor { get; init; }
    public required string Version { get; init; }
    public required IReadOnlyList<string> Languages { get; init; }
    /// <summary>What the campaign is about, in the vendor's words; partners filter the campaign library by them.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];
    public string? Thumbnail { get; init; }
    public KitTargeting Targeting { get; init; } = new();
    public KitContent Content { get; init; } = new();
    public required IReadOnlyList<ScheduledTouch> Schedule { get; init; }
    public IReadOnlyList<EditableField> Editable { get; init; } = [];
    public KitMdf? Mdf { get; init; }

    /// <summary>Every file the manifest points at, with the JSON path that names it.</summary>
    public IEnumerable<(string Path, string File)> ReferencedFiles()
    {
        if (Thumbnail is not null) yield return ("$.thumbnail", Thumbnail);
        for (var i = 0; i < Content.Images.Count; i++) yield return ($"$.content.images[{i}].template", Content.Images[i].Template);
        for (var i = 0; i < Content.Emails.Count; i++)
        {
            yield return ($"$.content.emails[{i}].html", Content.Emails[i].Html);
            yield return ($"$.content.emails[{i}].text", Content.Emails[i].Text);
        }
        for (var i = 0; i < Content.Social.Count; i++) yield return ($"$.content.social[{i}].text", Content.Social[i].Text);
        if (Content.LandingPage is { } page) yield return ("$.content.landingPage.html", page.Html);
    }
}

public sealed record KitTargeting
{
    public IReadOnlyList<string> Tiers { get; init; } = [];
    public IReadOnlyList<string> Regions { get; init; } = [];
    public IReadOnlyList<string> Specialisations { get; init; } = [];
    public DateTimeOffset? PublishFrom { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
}

public sealed record KitContent
{
    public IReadOnlyList<KitImage> Images { get; init; } = [];
    public IReadOnlyList<KitEmail> Emails { get; init; } = [];
    public IReadOnlyList<KitSocialPost> Social { get; init; } = [];
    public KitLandingPage? LandingPage { get; init; }
}

public sealed record KitImage(string Id, string Template, string? Name = null);

public sealed record KitEmail(string Id, string Subject, string Html, string Text, string? Preheader = null, string? Name = null);

public sealed record KitSocialPost(string Id, SocialNetwork Network, string Text, string? Image = null);

public sealed record KitLandingPage(string Title, string Html, LeadForm Form);

public sealed record LeadForm(IReadOnlyList<LeadFormField> Fields, string ConsentText, string? SubmitLabel = null);

public sealed record LeadFormField(string Name, string Label, string Type, bool Required = false, IReadOnlyList<string>? Options = null);

/// <summary>One touch of a launch: an email or a social post on a day offset from the start, in a local send window.</summary>
public sealed record ScheduledTouch
{
    public int Day { get; init; }
    public string? Email { get; init; }
    public string? Social { get; init; }
    public string Audience { get; init; } = "all";
    public SendWindow? Window { get; init; }

    public string Describe() => Email is not null ? $"email '{Email}'" : $"social post '{Social}'";
}

public sealed record SendWindow(TimeOnly Start, TimeOnly End)
{
    public override string ToString() => $"{Start:HH\\:mm}-{End:HH\\:mm}";
}

public sealed record EditableField
{
    public required string Name { get; init; }
    public required string Label { get; init; }
    public string? Help { get; init; }
    public required string Type { get; init; }
    public int? MaxLength { get; init; }
    public IReadOnlyList<string>? Options { get; init; }
    public string? Default { get; init; }
}

public sealed record KitMdf(string ActivityType);
