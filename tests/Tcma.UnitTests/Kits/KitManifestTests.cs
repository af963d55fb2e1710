using Tcma.Domain;
using System.Text;
using System.Text.Json.Nodes;
using Tcma.Domain.Kits;

namespace Tcma.UnitTests.Kits;

public sealed class KitManifestTests
{
    private const string Valid = """
        {
          // authors may comment their manifest
          "id": "cloud-backup-nurture",
          "name": "Cloud backup nurture",
          "vendor": "Northwind",
          "version": "1.2.0",
          "languages": ["en", "de-DE"],
          "thumbnail": "images/thumb.png",
          "targeting": { "tiers": ["Gold"], "publishFrom": "2026-01-01T00:00:00Z", "expiresAt": "2026-12-31T00:00:00Z" },
          "content": {
            "images": [ { "id": "banner", "template": "images/banner.json" } ],
            "emails": [
              { "id": "welcome", "subject": "Hello {{ recipient.first_name }}", "html": "emails/welcome.html", "text": "emails/welcome.txt" },
              { "id": "follow-up", "subject": "Still thinking?", "html": "emails/follow-up.html", "text": "emails/follow-up.txt" }
            ],
            "social": [ { "id": "li", "network": "linkedin", "text": "social/li.txt", "image": "banner" } ],
            "landingPage": { "title": "Protect your data", "html": "landing/page.html",
              "form": { "fields": [ { "name": "email", "label": "Work email", "type": "email", "required": true } ],
                        "consentText": "I agree to be contacted about backup offers." } }
          },
          "schedule": [
            { "day": 0, "email": "welcome", "window": { "start": "09:00", "end": "11:00" } },
            { "day": 2, "social": "li" },
            { "day": 5, "email": "follow-up", "audience": "non-openers" },
          ],
          "editable": [
            { "name": "intro", "label": "Intro paragraph", "type": "multiline", "maxLength": 400, "default": "We help small businesses." },
            { "name": "headline", "label": "Headline", "type": "choice", "options": ["Back up today", "Never lose a file"], "default": "Back up today" }
          ],
          "mdf": { "activityType": "digital-advertising" }
        }
        """;

    private static readonly KitFiles AllFiles = new(new[]
    {
        "kit.json", "images/thumb.png", "images/banner.json", "emails/welcome.html", "emails/welcome.txt",
        "emails/follow-up.html", "emails/follow-up.txt", "social/li.txt", "landing/page.html",
    }.ToDictionary(f => f, _ => new byte[] { 1 }));

    private static (KitManifest?, IReadOnlyList<KitProblem>) Read(string json) => KitManifestReader.Read(Encoding.UTF8.GetBytes(json));

    private static string Edit(Action<JsonObject> change)
    {
        var node = JsonNode.Parse(Valid, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        change(node);
        return node.ToJsonString();
    }

    [Fact]
    public void A_complete_manifest_reads_into_the_kit_and_validates_clean()
    {
        var (kit, problems) = Read(Valid);
        Assert.Empty(problems);
        Assert.Equal("cloud-backup-nurture", kit!.Id);
        Assert.Equal(SocialNetwork.LinkedIn, kit.Content.Social[0].Network);
        Assert.Equal(new TimeOnly(11, 0), kit.Schedule[0].Window!.End);
        Assert.Equal("non-openers", kit.Schedule[2].Audience);
        Assert.Empty(KitValidator.Check(kit, AllFiles));
    }

    [Fact]
    public void Broken_json_is_reported_with_line_and_column()
    {
        var (kit, problems) = Read("{\n  \"id\": \"x\",\n  \"name\": oops\n}");
        Assert.Null(kit);
        var problem = Assert.Single(problems);
        Assert.Equal("kit.json", problem.File);
        Assert.StartsWith("line 3", problem.Place);
    }

    [Fact]
    public void Schema_errors_are_all_reported_with_their_json_paths()
    {
        var json = Edit(k =>
        {
            k["version"] = "one";
            k["content"]!["emails"]![1]!.AsObject().Remove("html");
            k["colour"] = "red";
            k["schedule"]![0]!["day"] = -1;
        });
        var (kit, problems) = Read(json);
        Assert.Null(kit);
        var places = problems.Select(p => p.Place).ToHashSet();
        Assert.Contains("$.version", places);
        Assert.Contains("$.content.emails[1]", places);
        Assert.Contains("$.schedule[0].day", places);
        Assert.True(problems.Any(p => p.Message.Contains("not part of the kit format")), string.Join("\n", problems));
    }

    [Fact]
    public void Files_the_manifest_names_must_be_in_the_kit()
    {
        var (kit, _) = Read(Valid);
        var files = new KitFiles(AllFiles.Files.Where(f => f.Key != "emails/welcome.txt" && f.Key != "landing/page.html").ToDictionary());
        var problems = KitValidator.Check(kit!, files);
        Assert.Equal(["$.content.emails[0].text", "$.content.landingPage.html"], problems.Select(p => p.Place).Order());
        Assert.All(problems, p => Assert.Contains("is not in the kit", p.Message));
    }

    [Fact]
    public void Two_emails_whose_windows_overlap_on_the_same_day_are_refused()
    {
        var json = Edit(k => k["schedule"]![2] = JsonNode.Parse("""{ "day": 0, "email": "follow-up", "window": { "start": "10:30", "end": "12:00" } }"""));
        var (kit, problems) = Read(json);
        Assert.Empty(problems);
        var problem = Assert.Single(KitValidator.Check(kit!, AllFiles));
        Assert.Equal("$.schedule[2]", problem.Place);
        Assert.Contains("overlap on day 0", problem.Message);
    }

    [Fact]
    public void Emails_back_to_back_on_the_same_day_do_not_overlap()
    {
        var json = Edit(k => k["schedule"]![2] = JsonNode.Parse("""{ "day": 0, "email": "follow-up", "window": { "start": "11:00", "end": "12:00" } }"""));
        var (kit, _) = Read(json);
        Assert.Empty(KitValidator.Check(kit!, AllFiles));
    }

    [Fact]
    public void A_send_window_that_ends_before_it_starts_is_refused()
    {
        var json = Edit(k => k["schedule"]![0]!["window"] = JsonNode.Parse("""{ "start": "11:00", "end": "09:00" }"""));
        var (kit, _) = Read(json);
        Assert.Contains(KitValidator.Check(kit!, AllFiles), p => p.Place == "$.schedule[0].window" && p.Message.Contains("ends before it starts"));
    }

    [Fact]
    public void Touches_must_name_content_that_exists()
    {
        var json = Edit(k =>
        {
            k["schedule"]![0]!["email"] = "welcom";
            k["schedule"]![1]!["social"] = "facebook-post";
        });
        var (kit, _) = Read(json);
        var problems = KitValidator.Check(kit!, AllFiles);
        Assert.Contains(problems, p => p.Place == "$.schedule[0].email" && p.Message.Contains("'welcom'"));
        Assert.Contains(problems, p => p.Place == "$.schedule[1].social");
    }

    [Fact]
    public void A_non_openers_email_needs_an_earlier_email()
    {
        var json = Edit(k => k["schedule"]![0]!["audience"] = "non-openers");
        var (kit, _) = Read(json);
        Assert.Contains(KitValidator.Check(kit!, AllFiles), p => p.Place == "$.schedule[0].audience");
    }

    [Fact]
    public void Editable_defaults_that_break_their_own_limits_are_refused()
    {
        var json = Edit(k =>
        {
            k["editable"]![0]!["default"] = new string('a', 401);
            k["editable"]![1]!["default"] = "Something else";
            k["editable"]!.AsArray().Add(JsonNode.Parse("""{ "name": "event_date", "label": "Event date", "type": "date", "default": "31/12/2026" }"""));
            k["editable"]!.AsArray().Add(JsonNode.Parse("""{ "name": "title", "label": "Title", "type": "text" }"""));
        });
        var (kit, _) = Read(json);
        var problems = KitValidator.Check(kit!, AllFiles);
        Assert.Contains(problems, p => p.Place == "$.editable[0].default" && p.Message.Contains("401 characters, over its own limit of 400"));
        Assert.Contains(problems, p => p.Place == "$.editable[1].default" && p.Message.Contains("not one of its options"));
        Assert.Contains(problems, p => p.Place == "$.editable[2].default" && p.Message.Contains("YYYY-MM-DD"));
        Assert.Contains(problems, p => p.Place == "$.editable[3].maxLength");
    }

    [Fact]
    public void Duplicate_ids_and_a_kit_that_expires_before_it_publishes_are_refused()
    {
        var json = Edit(k =>
        {
            k["content"]!["emails"]![1]!["id"] = "welcome";
            k["targeting"]!["expiresAt"] = "2025-06-01T00:00:00Z";
        });
        var (kit, _) = Read(json);
        var problems = KitValidator.Check(kit!, AllFiles);
        Assert.Contains(problems, p => p.Message.Contains("two emails have the id 'welcome'"));
        Assert.Contains(problems, p => p.Place == "$.targeting.expiresAt");
    }

    [Theory]
    [InlineData("/content/emails/0/html", "$.content.emails[0].html")]
    [InlineData("", "$")]
    [InlineData("/a~1b", "$.a/b")]
    public void Json_pointers_become_the_paths_authors_see(string pointer, string path)
        => Assert.Equal(path, KitManifestReader.ToJsonPath(pointer));
}
