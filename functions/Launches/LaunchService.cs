using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Tcma.Domain;
using Tcma.Domain.Identity;
using Tcma.Domain.Kits;
using Tcma.Domain.Launches;
using Tcma.Domain.Rendering;
using Tcma.Domain.Workflows;
using Tcma.Email;
using Tcma.Email.Outbox;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Rendering.CoBranding;
using Tcma.Rendering.Liquid;
using Tcma.Storage.Launches;
using Tcma.Storage.Messaging;
using Tcma.Storage.Partners;
using Tcma.Storage.Rendering;
using Tcma.Storage.Syndication;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Launches;

public sealed class LaunchOptions
{
    public const string Section = "Launches";
    /// <summary>Where emailed links point (https://app.example.com). Unset: the address the request came in on.</summary>
    public string? PublicBaseUrl { get; set; }
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(30);
    /// <summary>The pause/resume/cancel links outlive any schedule a kit can have.</summary>
    public TimeSpan ControlLinkLifetime { get; set; } = TimeSpan.FromDays(400);
    /// <summary>Recipients handed to the mailer per recorded step: a crash repeats at most one chunk (and the mailer drops repeated SendIds).</summary>
    public int ChunkSize { get; set; } = 100;
    public int MaxPartnersPerInvitation { get; set; } = 2000;
}

/// <summary>An invitation the partner opened, with what it grants: one partner, one published kit version.</summary>
public sealed record OpenedInvitation(string VendorId, LaunchInvitation Invitation, KitVersion Kit);

public sealed record InvitationRequest(string? KitId, string? Version, string? Tier, string? Region, string? Specialisation, IReadOnlyList<string>? PartnerIds);

public sealed record InvitationView(string Id, string PartnerId, string PartnerName, IReadOnlyList<string> SentTo, string KitId, string Version, string Link,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string State, string? LaunchId)
{
    public static InvitationView From(LaunchInvitation i, DateTimeOffset now) => new(i.Id, i.PartnerId, i.PartnerName, i.SentTo, i.KitId, i.Version, i.Link,
        i.CreatedAt, i.ExpiresAt, i.RevokedAt is not null ? "Revoked" : i.LaunchId is not null ? "Launched" : i.ExpiresAt <= now ? "Expired" : "Open", i.LaunchId);
}

public sealed record InvitationsResult(IReadOnlyList<InvitationView> Invited, IReadOnlyList<InvitationView> AlreadyInvited, IReadOnlyList<string> NotTargeted);

public sealed record LaunchRequest(
    string? LaunchKey, string? StartDate, string? TimeZone, Dictionary<string, string?>? Edits,
    bool Email, string? Contacts, IReadOnlyList<string>? Networks);

public sealed record TouchView(string TouchId, string Channel, string Content, DateTimeOffset DueUtc, string DueLocal, string State, int Sent, string? Note);

/// <summary>
/// What became of one email touch: sent, opened (pixel or click; a lower bound), clicked, and left out by its audience.
/// </summary>
public sealed record TouchEmailStats(string TouchId, string Content, string Audience, int Sent, int Opened, int Clicked, int SkippedByAudience);

public sealed record LaunchView(string LaunchId, string KitId, string Version, string Status, string TimeZone, string StatusUrl, IReadOnlyList<TouchView> Touches)
{
    /// <summary>Per email touch: sent, opened, clicked, left out by its audience. Filled where the status is asked for.</summary>
    public IReadOnlyList<TouchEmailStats>? Emails { get; init; }
}

public abstract record Outcome<T>
{
    public sealed record Done(T Value, bool Created = false) : Outcome<T>;
    public sealed record Problem(int Status, string Title, IReadOnlyDictionary<string, string[]>? Errors = null) : Outcome<T>;
}

/// <summary>
/// Invitations, the partner's launch and the launch's work: what the endpoints and queue functions call. The rules
/// themselves are in <see cref="LaunchWorkflow"/>, <see cref="LaunchSchedule"/>, <see cref="LaunchEdits"/> and
/// <see cref="ContactList"/>; this class reads, calls them, stores and sends.
/// </summary>
public sealed class LaunchService(
    LaunchStore store, KitIndex kits, KitVersionFiles kitFiles, PartnerDirectory partners, BrandProfileStore brands,
    LaunchPreviews previews, WorkflowEngine workflows, LinkTokens tokens, EmailOutbox outbox, IMessageSender messages, SocialAccountStore socialAccounts,
    CampaignSendLog sendLog, CampaignEngagementStore engagement, Dashboards.DashboardService dashboard,
    IOptions<LaunchOptions> options, TimeProvider clock, ILogger<LaunchService> logger)
{
    public LaunchOptions Options => options.Value;

    public string BaseUrl(HttpRequest? request) =>
        (options.Value.PublicBaseUrl ?? (request is null ? "http://localhost:7071" : $"{request.Scheme}://{request.Host}")).TrimEnd('/');

    public static string LandingUrl(string baseUrl, string vendorId, string partnerId, string kitId, string launchId) =>
        $"{baseUrl}/p/{Uri.EscapeDataString(vendorId)}/{Uri.EscapeDataString(partnerId)}/{Uri.EscapeDataString(kitId)}?launch={Uri.EscapeDataString(launchId)}";

    public static string LogoUrl(string baseUrl, string token) => $"{baseUrl}/api/partner/launch/logo?t={Uri.EscapeDataString(token)}";

    // ---- invitations ----------------------------------------------------------------------------------------

    public async Task<Outcome<InvitationsResult>> InviteAsync(string vendorId, InvitationRequest request, string by, string baseUrl, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.KitId) || string.IsNullOrWhiteSpace(request.Version))
            return new Outcome<InvitationsResult>.Problem(400, "Name the kit and the published version to invite partners to.",
                new Dictionary<string, string[]> { ["kitId"] = ["kitId and version are required."] });
        var row = await kits.GetAsync(vendorId, request.KitId, request.Version, ct);
        if (row is null) return new Outcome<InvitationsResult>.Problem(404, $"No kit {request.KitId} version {request.Version}.");
        if (row.KitStatus != KitStatus.Published)
            return new Outcome<InvitationsResult>.Problem(409, $"Kit {request.KitId} version {request.Version} is {row.KitStatus}: only a published version can be launched.");
        var kit = await kitFiles.GetAsync(vendorId, request.KitId, request.Version, ct);
        if (kit is null) return new Outcome<InvitationsResult>.Problem(404, $"No kit {request.KitId} version {request.Version}.");
        if (LaunchTargeting.Closed(kit.Manifest.Targeting, clock.GetUtcNow()) is { } closed)
            return new Outcome<InvitationsResult>.Problem(409, $"Nobody was invited: {closed}.");

        List<StoredPartner> chosen;
        if (request.PartnerIds is { Count: > 0 } ids)
        {
            if (ids.Count > Options.MaxPartnersPerInvitation)
                return new Outcome<InvitationsResult>.Problem(400, $"At most {Options.MaxPartnersPerInvitation} partners per invitation.");
            chosen = [];
            var unknown = new List<string>();
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                if (await partners.GetAsync(vendorId, id ?? "", ct) is { } p) chosen.Add(p);
                else unknown.Add(id ?? "");
            }
            if (unknown.Count > 0)
                return new Outcome<InvitationsResult>.Problem(400, "Some partners do not exist; nobody was invited.",
                    new Dictionary<string, string[]> { ["partnerIds"] = unknown.Select(u => $"No partner '{(u.Length > 64 ? u[..64] + "..." : u)}'.").ToArray() });
        }
        else
        {
            chosen = (await partners.ListAsync(vendorId, request.Tier, request.Region, request.Specialisation, ct)).ToList();
        }
        chosen = chosen.Where(p => p.Partner.Status == Domain.Partners.PartnerStatus.Active).ToList();
        var excluded = chosen.Select(p => (p.Partner.Id, Reason: LaunchTargeting.Excludes(kit.Manifest.Targeting, p.Partner))).Where(x => x.Reason is not null).ToList();
        // Partners named one by one must all be targeted; a filter simply leaves the others out, and says so.
        if (request.PartnerIds is { Count: > 0 } && excluded.Count > 0)
            return new Outcome<InvitationsResult>.Problem(400, "Some partners are not among those this kit targets; nobody was invited.",
                new Dictionary<string, string[]> { ["partnerIds"] = excluded.Select(x => $"{x.Id}: {x.Reason}.").ToArray() });
        chosen = chosen.Where(p => excluded.All(x => x.Id != p.Partner.Id)).ToList();
        if (chosen.Count == 0)
            return new Outcome<InvitationsResult>.Problem(400, "No active partner matches: nobody was invited.");
        if (chosen.Count > Options.MaxPartnersPerInvitation)
            return new Outcome<InvitationsResult>.Problem(400, $"{chosen.Count} partners match; invite at most {Options.MaxPartnersPerInvitation} at once.");

        var now = clock.GetUtcNow();
        // A launch the partner started from its portal is its own business: the vendor's invitation is a new one, emailed.
        var existing = (await store.InvitationsAsync(vendorId, ct))
            .Where(i => i.KitId == request.KitId && i.Version == request.Version && i.RevokedAt is null && i.ExpiresAt > now && i.CreatedBy != PortalBy)
            .GroupBy(i => i.PartnerId).ToDictionary(g => g.Key, g => g.First());
        var invited = new List<InvitationView>();
        var already = new List<InvitationView>();
        foreach (var stored in chosen)
        {
            var partner = stored.Partner;
            // Inviting the same partner to the same version again is a no-op: its open link keeps working.
            // (Counted again, which changes nothing once counted and heals a crash between marking it emailed and counting it.)
            if (existing.TryGetValue(partner.Id, out var open) && open.Emailed)
            {
                await CountInvitationAsync(vendorId, open, Tcma.Domain.Dashboards.ActivityKind.Invited, open.CreatedAt, ct);
                already.Add(InvitationView.From(open, now));
                continue;
            }
            var invitation = open;
            if (invitation is null)
            {
                var token = tokens.Create(TokenPurposes.Launch, partner.Id, vendorId, Options.InvitationLifetime);
                var nonce = tokens.Verify(token, TokenPurposes.Launch).Token!.Nonce;
                invitation = new LaunchInvitation(nonce, partner.Id, partner.CompanyName, partner.Contacts.Select(c => c.Email).ToList(),
                    kit.KitId, kit.Version, $"{baseUrl}/partner/launch?t={Uri.EscapeDataString(token)}", now, now + Options.InvitationLifetime, by);
                await store.SaveInvitationAsync(vendorId, invitation, ct);
            }
            // Stored before the emails are queued and marked after: a failure half-way leaves an invitation a repeated
            // request queues again with the same link, never a partner without an email nor one with two links; the
            // keys (invitation and contact) make a contact queued twice get one email. SMTP is the outbox's business.
            var sending = invitation;
            await Task.WhenAll(partner.Contacts.Select(contact => outbox.EnqueueAsync(
                InvitationEmail(kit, partner.CompanyName, contact.Name, contact.Email, sending.Link, sending.ExpiresAt),
                InvitationEmailKey(vendorId, sending.Id, contact.Email), ct)));
            invitation = await store.ChangeInvitationAsync(vendorId, invitation.Id, i => i with { Emailed = true }, ct) ?? invitation;
            await CountInvitationAsync(vendorId, invitation, Tcma.Domain.Dashboards.ActivityKind.Invited, invitation.CreatedAt, ct);
            invited.Add(InvitationView.From(invitation, now));
        }
        return new Outcome<InvitationsResult>.Done(new InvitationsResult(invited, already, excluded.Select(x => x.Id).ToList()), Created: invited.Count > 0);
    }

    /// <summary>One invitation email per contact address, whatever its case, for as long as the outbox remembers it.</summary>
    public static string InvitationEmailKey(string vendorId, string invitationId, string contactEmail) =>
        $"invitation:{vendorId}:{invitationId}:{contactEmail.Trim().ToLowerInvariant()}";

    private static EmailMessage InvitationEmail(KitVersion kit, string company, string name, string to, string link, DateTimeOffset expires)
    {
        var m = kit.Manifest;
        var text = $"Hello {name},\n\n{m.Vendor} invites {company} to launch \"{m.Name}\" under your own brand.\n\n{m.Description}\n\n" +
                   $"Open your personal launch link (no password needed) to see the campaign with your logo, adjust it and start it:\n{link}\n\n" +
                   $"The link works until {expires:yyyy-MM-dd}. Do not forward it: it launches campaigns in {company}'s name.\n";
        var html = $"<p>Hello {WebUtility.HtmlEncode(name)},</p><p>{WebUtility.HtmlEncode(m.Vendor)} invites {WebUtility.HtmlEncode(company)} to launch " +
                   $"<strong>{WebUtility.HtmlEncode(m.Name)}</strong> under your own brand.</p><p>{WebUtility.HtmlEncode(m.Description)}</p>" +
                   $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">Open your launch page</a> (no password needed).</p>" +
                   $"<p>The link works until {expires:yyyy-MM-dd}. Do not forward it: it launches campaigns in {WebUtility.HtmlEncode(company)}'s name.</p>";
        return new EmailMessage(to, $"{m.Vendor} invites you to launch: {m.Name}", text, html) { ToName = name, FromName = m.Vendor };
    }

    public async Task<InvitationView?> RevokeAsync(string vendorId, string invitationId, string by, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var changed = await store.ChangeInvitationAsync(vendorId, invitationId, i => i.RevokedAt is null ? i with { RevokedAt = now, RevokedBy = by } : null, ct);
        return changed is null ? null : InvitationView.From(changed, now);
    }

    // ---- the partner's link ------------------------------------------------------------------------------------

    public static string? TokenOf(HttpRequest request)
    {
        var token = request.Query[Schemes.LinkQuery].ToString();
        return token.Length > 0 ? token : request.Headers[Schemes.LinkHeader].ToString() is { Length: > 0 } h ? h : null;
    }

    /// <summary>
    /// The invitation behind a launch link, or null for anything that must show "this link does not work": a
    /// tampered or expired token, a revoked invitation, another partner's or vendor's, a version no longer published.
    /// </summary>
    public async Task<OpenedInvitation?> OpenAsync(string? token, CancellationToken ct)
    {
        var verified = tokens.Verify(token, TokenPurposes.Launch);
        if (!verified.IsValid) return null;
        var t = verified.Token!;
        var invitation = await store.InvitationAsync(t.VendorId, t.Nonce, ct);
        if (invitation is null || invitation.PartnerId != t.Subject || invitation.RevokedAt is not null) return null;
        var row = await kits.GetAsync(t.VendorId, invitation.KitId, invitation.Version, ct);
        if (row is not { KitStatus: KitStatus.Published }) return null;
        var kit = await kitFiles.GetAsync(t.VendorId, invitation.KitId, invitation.Version, ct);
        if (kit is null || LaunchTargeting.Closed(kit.Manifest.Targeting, clock.GetUtcNow()) is not null) return null;
        return new OpenedInvitation(t.VendorId, await OpenedAsync(t.VendorId, invitation, ct), kit);
    }

    /// <summary>
    /// The invitation's first opening, kept on the invitation (the record the dashboards' count is named by) and counted
    /// at that moment. Until the partner launches, every opening counts it again, which changes nothing once counted but
    /// heals a count lost to a crash between the two writes; a rebuild counts it from the invitation too.
    /// </summary>
    private async Task<LaunchInvitation> OpenedAsync(string vendorId, LaunchInvitation invitation, CancellationToken ct)
    {
        if (invitation.OpenedAt is null)
        {
            var now = clock.GetUtcNow();
            invitation = await store.ChangeInvitationAsync(vendorId, invitation.Id, i => i.OpenedAt is null ? i with { OpenedAt = now } : null, ct) ?? invitation;
        }
        if (invitation is { OpenedAt: { } opened, LaunchId: null })
            await CountInvitationAsync(vendorId, invitation, Tcma.Domain.Dashboards.ActivityKind.LaunchLinkOpened, opened, ct);
        return invitation;
    }

    private Task CountInvitationAsync(string vendorId, LaunchInvitation invitation, Tcma.Domain.Dashboards.ActivityKind kind, DateTimeOffset at, CancellationToken ct) =>
        dashboard.CountAsync(new Tcma.Domain.Dashboards.Activity(vendorId, invitation.Id, kind, invitation.PartnerId, invitation.KitId, invitation.Version, at), ct);

    // ---- the partner's portal -----------------------------------------------------------------------------------

    /// <summary>Who made the invitations behind launches started from the partner portal's campaign library.</summary>
    public const string PortalBy = "partner portal";

    /// <summary>How long the launch page's own token lives when it was opened from the portal (the session is the way back in).</summary>
    public static readonly TimeSpan PortalPageTokenLifetime = TimeSpan.FromHours(12);

    /// <summary>One invitation per partner and kit version started from the portal, so a second click or tab opens the same launch.</summary>
    public static string PortalInvitationId(string partnerId, string kitId, string version) =>
        "p" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{partnerId}|{kitId}|{version}")))[..31];

    /// <summary>
    /// A signed-in partner opens a kit version from the library: the version must be published, open today and aimed at
    /// this partner as it is now (its tier, region and specialisations may have changed since the library was shown);
    /// otherwise the reason, worded for the partner. The partner's portal invitation to it is made the first time.
    /// </summary>
    public async Task<Outcome<OpenedInvitation>> OpenForPartnerAsync(string vendorId, string partnerId, string kitId, string version, CancellationToken ct)
    {
        var row = await kits.GetAsync(vendorId, kitId, version, ct);
        var kit = row is null ? null : await kitFiles.GetAsync(vendorId, kitId, version, ct);
        if (row is null || kit is null) return new Outcome<OpenedInvitation>.Problem(404, "There is no such campaign.");
        if (row.KitStatus != KitStatus.Published)
            return new Outcome<OpenedInvitation>.Problem(409, $"“{kit.Manifest.Name}” can't be launched: {kit.Manifest.Vendor} withdrew this version.");
        var partner = (await partners.GetAsync(vendorId, partnerId, ct))?.Partner;
        if (partner is not { Status: Domain.Partners.PartnerStatus.Active })
            return new Outcome<OpenedInvitation>.Problem(403, "Your partner account is not active.");
        var now = clock.GetUtcNow();
        if ((LaunchTargeting.Closed(kit.Manifest.Targeting, now) ?? LaunchTargeting.Excludes(kit.Manifest.Targeting, partner)) is { } reason)
            return new Outcome<OpenedInvitation>.Problem(409, $"“{kit.Manifest.Name}” can't be launched: {reason}.");
        var id = PortalInvitationId(partnerId, kitId, version);
        var invitation = await store.InvitationAsync(vendorId, id, ct);
        if (invitation is null)
        {
            var created = new LaunchInvitation(id, partnerId, partner.CompanyName, [], kitId, version, $"/partner/launch?kit={Uri.EscapeDataString(kitId)}&version={Uri.EscapeDataString(version)}",
                now, now + Options.ControlLinkLifetime, PortalBy);
            invitation = await store.TryAddInvitationAsync(vendorId, created, ct) ? created : await store.InvitationAsync(vendorId, id, ct) ?? created;
        }
        if (invitation.RevokedAt is not null)
            return new Outcome<OpenedInvitation>.Problem(409, $"“{kit.Manifest.Name}” can't be launched: {kit.Manifest.Vendor} withdrew it for you.");
        // A partner that picks a kit from its library invited itself: counted as invited when it first chose it.
        if (invitation.LaunchId is null) await CountInvitationAsync(vendorId, invitation, Tcma.Domain.Dashboards.ActivityKind.Invited, invitation.CreatedAt, ct);
        return new Outcome<OpenedInvitation>.Done(new OpenedInvitation(vendorId, await OpenedAsync(vendorId, invitation, ct), kit));
    }

    /// <summary>The token the launch page's calls carry when the page was opened from the portal: bound to that invitation.</summary>
    public string PageToken(OpenedInvitation opened) =>
        tokens.Create(TokenPurposes.Launch, opened.Invitation.PartnerId, opened.VendorId, clock.GetUtcNow() + PortalPageTokenLifetime, opened.Invitation.Id);

    /// <summary>A launch of this partner, for a signed-in partner (no control link needed), or null.</summary>
    public async Task<LaunchRecord?> OwnLaunchAsync(string vendorId, string partnerId, string launchId, CancellationToken ct) =>
        await store.LaunchAsync(vendorId, launchId, ct) is { } launch && launch.PartnerId == partnerId ? launch : null;

    /// <summary>The launch a control link (from the confirmation email) is for, or null.</summary>
    public async Task<(string VendorId, LaunchRecord Launch)?> ControlAsync(string? token, string launchId, CancellationToken ct)
    {
        var verified = tokens.Verify(token, TokenPurposes.Launch);
        if (!verified.IsValid) return null;
        var t = verified.Token!;
        var controlled = await store.ControlledLaunchAsync(t.VendorId, t.Nonce, ct);
        if (controlled != launchId) return null;
        var launch = await store.LaunchAsync(t.VendorId, launchId, ct);
        return launch is null || launch.PartnerId != t.Subject ? null : (t.VendorId, launch);
    }

    /// <summary>The networks the partner connected and that need no reconnecting: the only ones a launch can post to.</summary>
    public async Task<IReadOnlySet<SocialNetwork>> ConnectedNetworksAsync(string vendorId, string partnerId, CancellationToken ct) =>
        (await socialAccounts.ListAsync(vendorId, partnerId, ct)).Where(a => !a.NeedsReconnect).Select(a => a.Network).ToHashSet();

    public Task<BrandProfile?> BrandAsync(string vendorId, string partnerId, CancellationToken ct) => brands.GetAsync(vendorId, partnerId, ct);

    // ---- contacts and schedule -------------------------------------------------------------------------------

    public async Task<(ContactImport? Import, string? UploadId, string? Error)> ImportContactsAsync(string vendorId, string partnerId, Stream csv, CancellationToken ct)
    {
        var limits = new ContactImportLimits();
        using var buffered = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await csv.ReadAsync(buffer, ct)) > 0)
        {
            if (buffered.Length + read > limits.MaxBytes) return (null, null, $"the file is larger than {limits.MaxBytes / (1024 * 1024)} MiB; split it into smaller files");
            buffered.Write(buffer, 0, read);
        }
        buffered.Position = 0;
        var (import, error) = ContactList.Read(buffered, limits);
        if (import is null) return (null, null, error);
        var id = await store.SaveContactsAsync(vendorId, partnerId, import.Contacts, ct);
        return (import, id, null);
    }

    public static bool IsOwnUpload(string vendorId, string partnerId, string? uploadId) =>
        uploadId is not null && uploadId.StartsWith($"{vendorId}/{partnerId}/", StringComparison.Ordinal) &&
        uploadId.Length == $"{vendorId}/{partnerId}/".Length + 37 && uploadId.EndsWith(".json", StringComparison.Ordinal) &&
        uploadId[$"{vendorId}/{partnerId}/".Length..^5].All(char.IsAsciiHexDigitLower);

    public static (DateOnly Start, TimeZoneInfo Zone, IReadOnlyList<EditProblem> Problems) ReadWhen(string? startDate, string? timeZone, DateTimeOffset now)
    {
        var problems = new List<EditProblem>();
        var zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(timeZone) || timeZone.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out zone!))
        {
            problems.Add(new("timeZone", "Choose a time zone such as Europe/Berlin or America/New_York."));
            zone = TimeZoneInfo.Utc;
        }
        if (!DateOnly.TryParseExact(startDate ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
            problems.Add(new("startDate", "Give the start date as YYYY-MM-DD."));
        else
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
            if (start < today) problems.Add(new("startDate", $"The start date {start:yyyy-MM-dd} is in the past; today is {today:yyyy-MM-dd} in {zone.Id}."));
            else if (start > today.AddYears(1)) problems.Add(new("startDate", "Start within a year."));
        }
        return (start, zone, problems);
    }

    public static IReadOnlyList<TouchView> Views(IEnumerable<LaunchTouch> touches, TimeZoneInfo zone) =>
        touches.Select(t => new TouchView(t.TouchId, t.Channel, t.ContentId, t.DueUtc,
            TimeZoneInfo.ConvertTime(t.DueUtc, zone).ToString("ddd d MMM yyyy HH:mm", CultureInfo.InvariantCulture) + " " + zone.Id,
            t.State.ToString(), t.Sent, t.Note)).ToList();

    public IReadOnlyList<LaunchTouch> Plan(KitManifest kit, DateOnly start, TimeZoneInfo zone, bool emailChosen, IReadOnlyCollection<SocialNetwork> networks)
    {
        var now = clock.GetUtcNow();
        var touches = LaunchWorkflow.Touches(kit, LaunchSchedule.Place(kit, start, zone, now), emailChosen, networks);
        var missed = LaunchSchedule.AlreadyMissed(LaunchSchedule.Place(kit, start, zone, now), now).Select(s => s.Index).ToHashSet();
        return touches.Select(t => missed.Contains(t.Index) && t.State == TouchState.Scheduled
            ? t with { State = TouchState.Missed, Note = "its send window will have closed: it is not sent" } : t).ToList();
    }

    // ---- confirming ---------------------------------------------------------------------------------------------

    public async Task<Outcome<LaunchView>> ConfirmAsync(OpenedInvitation opened, LaunchRequest request, string baseUrl, CancellationToken ct)
    {
        var (vendorId, invitation, kit) = opened;
        var errors = new Dictionary<string, string[]>();
        if (request.LaunchKey != invitation.Id) errors["launchKey"] = ["Reload the launch page: this confirmation is not from it."];
        var now = clock.GetUtcNow();
        var (start, zone, whenProblems) = ReadWhen(request.StartDate, request.TimeZone, now);
        var (edits, editProblems) = LaunchEdits.Check(kit.Manifest, request.Edits ?? new Dictionary<string, string?>());
        foreach (var p in whenProblems.Concat(editProblems)) errors[p.Field] = [p.Message];
        var kitNetworks = kit.Manifest.Content.Social.Select(s => s.Network).ToHashSet();
        var connected = request.Networks is { Count: > 0 } ? await ConnectedNetworksAsync(vendorId, invitation.PartnerId, ct) : new HashSet<SocialNetwork>();
        var networks = new List<SocialNetwork>();
        foreach (var n in request.Networks ?? [])
        {
            if (!Enum.TryParse<SocialNetwork>(n, ignoreCase: true, out var network) || !Enum.IsDefined(network) || !kitNetworks.Contains(network))
                errors["networks"] = [$"'{(n?.Length > 30 ? n[..30] : n)}' is not a network this kit posts to."];
            else if (!connected.Contains(network))
                errors["networks"] = [$"Connect your {network} account first (or untick it)."];
            else networks.Add(network);
        }
        IReadOnlyList<Contact>? contacts = null;
        if (request.Email)
        {
            if (!IsOwnUpload(vendorId, invitation.PartnerId, request.Contacts) || (contacts = await store.ContactsAsync(request.Contacts!, ct)) is null)
                errors["contacts"] = ["Upload your contacts (a CSV) to send the emails, or untick email."];
            else if (contacts.All(c => c.IsErased)) errors["contacts"] = ["Your file has no contact who agreed to hear from you."];
        }
        if (!request.Email && networks.Count == 0) errors["channels"] = ["Choose at least one channel: email or a social network."];
        if (await brands.GetAsync(vendorId, invitation.PartnerId, ct) is null) errors["brand"] = ["Complete your brand profile (logo and contact details) first."];
        if (errors.Count > 0) return new Outcome<LaunchView>.Problem(400, "The launch has problems; nothing was launched.", errors);
        // The vendor chose who to invite; from the portal the partner chose, so the kit's targeting is asked again now:
        // the partner's tier, region or specialisations may have changed since the library showed the kit.
        if (invitation.CreatedBy == PortalBy && invitation.LaunchId is null)
        {
            var partner = (await partners.GetAsync(vendorId, invitation.PartnerId, ct))?.Partner;
            var reason = partner is not { Status: Domain.Partners.PartnerStatus.Active } ? "your partner account is not active"
                : LaunchTargeting.Excludes(kit.Manifest.Targeting, partner);
            if (reason is not null)
                return new Outcome<LaunchView>.Problem(409, $"“{kit.Manifest.Name}” can't be launched any more: {reason}. Nothing was launched.");
        }

        var (launchId, _) = await store.ClaimLaunchIdAsync(vendorId, invitation.Id, kit.KitId, ct);
        var record = new LaunchRecord(vendorId, invitation.PartnerId, launchId, invitation.Id, kit.KitId, kit.Version, edits, start, zone.Id,
            request.Email, request.Email ? request.Contacts : null, contacts?.Count(c => !c.IsErased) ?? 0, networks.Distinct().ToList(), baseUrl, now);
        var created = await store.AddLaunchAsync(record, ct);
        // A double click, a second tab or a retry: the launch that is stored is the launch, whatever this request said.
        record = created ? record : (await store.LaunchAsync(vendorId, launchId, ct))!;
        await dashboard.CountAsync(new Tcma.Domain.Dashboards.Activity(vendorId, launchId, Tcma.Domain.Dashboards.ActivityKind.Launched, record.PartnerId, record.KitId, record.Version, record.CreatedAt), ct);

        var controlToken = tokens.Create(TokenPurposes.Launch, record.PartnerId, vendorId, Options.ControlLinkLifetime);
        await store.SaveControlAsync(vendorId, tokens.Verify(controlToken, TokenPurposes.Launch).Token!.Nonce, launchId, ct);
        var statusUrl = $"{record.PublicBaseUrl}/partner/launches/{Uri.EscapeDataString(launchId)}?t={Uri.EscapeDataString(controlToken)}";
        var recordZone = TimeZoneInfo.FindSystemTimeZoneById(record.TimeZone);
        var touches = Plan(kit.Manifest, record.StartDate, recordZone, record.Email, record.Networks);
        var confirmation = await ConfirmationAsync(record, kit, touches, recordZone, controlToken, ct);
        var started = new LaunchStarted(vendorId, record.PartnerId, launchId, touches, confirmation);
        await workflows.StartAsync(LaunchWorkflow.TypeName, LaunchWorkflow.InstanceId(vendorId, launchId),
            new WorkflowEvent("started", LaunchWorkflow.Started, $"partner:{record.PartnerId}", JsonSerializer.Serialize(started, WorkflowJson.Options)), ct);
        await store.ChangeInvitationAsync(vendorId, invitation.Id, i => i.LaunchId is null ? i with { LaunchId = launchId } : null, ct);
        var view = await ViewAsync(vendorId, record, statusUrl, ct) ?? new LaunchView(launchId, kit.KitId, kit.Version, "Running", record.TimeZone, statusUrl, Views(touches, recordZone));
        return new Outcome<LaunchView>.Done(view, Created: created);
    }

    private async Task<OutboxEmail?> ConfirmationAsync(LaunchRecord launch, KitVersion kit, IReadOnlyList<LaunchTouch> touches, TimeZoneInfo zone, string controlToken, CancellationToken ct)
    {
        var partner = await partners.GetAsync(launch.VendorId, launch.PartnerId, ct);
        var to = partner?.Partner.PrimaryContact.Email ?? (await brands.GetAsync(launch.VendorId, launch.PartnerId, ct))?.Contact.Email;
        if (to is null) return null;
        string Link(string action) => $"{launch.PublicBaseUrl}/partner/launches/{Uri.EscapeDataString(launch.LaunchId)}{action}?t={Uri.EscapeDataString(controlToken)}";
        var schedule = Views(touches, zone);
        var text = $"Your launch of \"{kit.Manifest.Name}\" ({launch.LaunchId}) is scheduled.\n\n" +
                   string.Join("\n", schedule.Select(t => $"- {t.DueLocal}: {t.Channel} '{t.Content}' ({t.State}{(t.Note is null ? "" : ": " + t.Note)})")) +
                   $"\n\nSee its status: {Link("")}\nPause it: {Link("/pause")}\nResume it: {Link("/resume")}\nCancel it: {Link("/cancel")}\n";
        var html = $"<p>Your launch of <strong>{WebUtility.HtmlEncode(kit.Manifest.Name)}</strong> ({WebUtility.HtmlEncode(launch.LaunchId)}) is scheduled.</p><ul>" +
                   string.Concat(schedule.Select(t => $"<li>{WebUtility.HtmlEncode(t.DueLocal)}: {t.Channel} '{WebUtility.HtmlEncode(t.Content)}' ({t.State})</li>")) +
                   $"</ul><p><a href=\"{WebUtility.HtmlEncode(Link(""))}\">See its status</a> · <a href=\"{WebUtility.HtmlEncode(Link("/pause"))}\">Pause</a> · " +
                   $"<a href=\"{WebUtility.HtmlEncode(Link("/resume"))}\">Resume</a> · <a href=\"{WebUtility.HtmlEncode(Link("/cancel"))}\">Cancel</a></p>";
        return new OutboxEmail(to, $"Launched: {kit.Manifest.Name}", text, html) { FromName = kit.Manifest.Vendor };
    }

    public async Task<LaunchState?> StateAsync(string vendorId, string launchId, CancellationToken ct)
    {
        var instance = await workflows.GetAsync(LaunchWorkflow.TypeName, LaunchWorkflow.InstanceId(vendorId, launchId), ct);
        return instance?.StateJson is null ? null : JsonSerializer.Deserialize<LaunchState>(instance.StateJson, WorkflowJson.Options);
    }

    public async Task<LaunchView?> ViewAsync(string vendorId, LaunchRecord launch, string statusUrl, CancellationToken ct)
    {
        var state = await StateAsync(vendorId, launch.LaunchId, ct);
        if (state is null) return null;
        return new LaunchView(launch.LaunchId, launch.KitId, launch.Version, state.Status.ToString(), launch.TimeZone, statusUrl,
            Views(state.AllTouches, TimeZoneInfo.FindSystemTimeZoneById(launch.TimeZone)));
    }

    /// <summary>Per email touch of the launch, in schedule order: two partition reads, whatever the size of the launch.</summary>
    public async Task<IReadOnlyList<TouchEmailStats>> EmailStatsAsync(LaunchRecord launch, IEnumerable<TouchView> touches, CancellationToken ct)
    {
        var emails = touches.Where(t => t.Channel == LaunchTouch.Email).ToList();
        if (emails.Count == 0) return [];
        var sends = await sendLog.SummariseAsync(launch.VendorId, launch.LaunchId, ct);
        var engaged = await engagement.ByTouchAsync(launch.VendorId, launch.LaunchId, ct);
        var schedule = (await kitFiles.GetAsync(launch.VendorId, launch.KitId, launch.Version, ct))?.Manifest.Schedule ?? [];
        return emails.Select(t =>
        {
            var audience = schedule.FirstOrDefault(s => s.Email == t.Content)?.Audience ?? Audience.All;
            var e = engaged.GetValueOrDefault(t.TouchId) ?? new TouchEngagement(0, 0);
            return new TouchEmailStats(t.TouchId, t.Content, audience, sends.Count(t.TouchId, CampaignSendState.Sent), e.Opened, e.Clicked,
                sends.Count(t.TouchId, CampaignSendState.SkippedAudience));
        }).ToList();
    }

    /// <summary>Pause, resume or cancel, from the partner's control link. Repeats and late clicks change nothing.</summary>
    public Task<WorkflowResult> ControlAsync(string vendorId, string launchId, string action, string partnerId, CancellationToken ct) =>
        workflows.RaiseAsync(LaunchWorkflow.TypeName, LaunchWorkflow.InstanceId(vendorId, launchId),
            new WorkflowEvent($"{action}:{Guid.NewGuid():N}", action, $"partner:{partnerId}"), ct);

    // ---- the workflow's work --------------------------------------------------------------------------------------

    public async Task RenderAssetsAsync(LaunchWork work, CancellationToken ct)
    {
        var (launch, kit, brand) = await LoadAsync(work, ct);
        foreach (var image in kit.Manifest.Content.Images)
        {
            var (_, _, errors) = await previews.ImageAsync(kit, brand, launch.Edits, image.Id, ct);
            if (errors.Count > 0) throw new InvalidOperationException($"launch {launch.LaunchId}: image '{image.Id}' cannot be rendered: {string.Join("; ", errors)}");
        }
        await workflows.RaiseAsync(LaunchWorkflow.TypeName, LaunchWorkflow.InstanceId(work.VendorId, work.LaunchId),
            new WorkflowEvent("assets-rendered", LaunchWorkflow.AssetsRendered, "system:launch"), ct);
    }

    /// <summary>
    /// A due touch's fan-out. Email: one <see cref="CampaignEmail"/> per contact the touch's audience includes, in chunks
    /// whose progress is recorded after each is on the queue, so a crash repeats at most one chunk (same SendIds, which
    /// the mailer sends once). The launch is asked again before each chunk: a pause or recall stops the rest.
    /// </summary>
    /// <remarks>
    /// The audience (non-openers, non-clickers) is decided here rather than in the mailer: the kit's schedule and the
    /// launch are already loaded, the launch's engagement is read once per fan-out (one partition) instead of once per
    /// email, and a left-out contact costs no queue message. Crash-safe because a left-out contact gets a
    /// <see cref="CampaignSendState.SkippedAudience"/> row in the mailer's own exactly-once table, by insert, under the
    /// same SendId the message would carry: whichever of "skipped" or the mailer's "sending" is written first is the
    /// send's only outcome. A repeated chunk may decide differently (the contact opened meanwhile), but then either
    /// its message is still queued and the mailer finds the skip settled, or it went and the skip insert gets a 409:
    /// sent or skipped, never both, never twice.
    /// </remarks>
    public async Task SendTouchAsync(LaunchWork work, CancellationToken ct)
    {
        var state = await StateAsync(work.VendorId, work.LaunchId, ct);
        var touch = state?.AllTouches.FirstOrDefault(t => t.Index == work.Touch);
        if (state is null || touch is not { State: TouchState.Sending } || !state.MaySend(touch.TouchId))
        {
            logger.LogInformation("Launch {Launch} touch {Touch}: not sent, the launch is {Status}", work.LaunchId, work.Touch, state?.Status);
            return;
        }
        var (launch, kit, brand) = await LoadAsync(work, ct);
        int count;
        if (touch.Channel == LaunchTouch.Email)
        {
            var contacts = launch.ContactsBlob is null ? [] : await store.ContactsAsync(launch.ContactsBlob, ct) ?? throw new InvalidOperationException($"launch {launch.LaunchId}: contacts are missing");
            var (parsed, error) = previews.ParseEmail(kit, touch.ContentId);
            if (parsed is null) throw new InvalidOperationException($"launch {launch.LaunchId}: email '{touch.ContentId}' cannot be parsed: {error}");
            var campaign = new Dictionary<string, string>(Tcma.Functions.Rendering.RenderService.CampaignInputs(kit.Manifest, launch.Edits));
            var (prepared, prepareError) = parsed.PrepareLaunch(CoBrandingModel.For(brand, campaign),
                previews.Options(brand, new LiquidTracking("tcma", "email", kit.KitId, touch.ContentId), ct));
            if (prepared is null) throw new InvalidOperationException($"launch {launch.LaunchId}: email '{touch.ContentId}' cannot be prepared: {prepareError}");
            var links = new Dictionary<string, object?>
            {
                ["landing_page"] = LandingUrl(launch.PublicBaseUrl, launch.VendorId, launch.PartnerId, launch.KitId, launch.LaunchId),
                ["unsubscribe"] = CampaignEmail.UnsubscribePlaceholder,
                ["logo"] = $"{launch.PublicBaseUrl}/api/brand-logos/{Uri.EscapeDataString(launch.VendorId)}/{Uri.EscapeDataString(launch.PartnerId)}",
            };
            var audience = kit.Manifest.Schedule.ElementAtOrDefault(touch.Index) is { } scheduled && scheduled.Email == touch.ContentId ? scheduled.Audience : Audience.All;
            // Read once: later chunks judge on the same picture as the first (an open arriving mid-fan-out may or may not count).
            var engaged = Audience.NeedsEngagement(audience) ? await engagement.ByContactAsync(launch.VendorId, launch.LaunchId, touch.TouchId, ct) : null;
            bool Includes(Contact c) =>
                engaged is null || Audience.Includes(audience, engaged.GetValueOrDefault(LaunchWorkflow.ContactKey(c.Email), ContactEngagement.None));
            var size = Math.Max(1, Options.ChunkSize);
            for (var chunk = await store.NextChunkAsync(launch.VendorId, launch.LaunchId, touch.TouchId, ct); chunk * size < contacts.Count; chunk++)
            {
                if (chunk > 0 && !StillSending(await StateAsync(work.VendorId, work.LaunchId, ct), touch.Index))
                {
                    logger.LogInformation("Launch {Launch} touch {Touch}: stopped after {Chunks} chunks", launch.LaunchId, touch.TouchId, chunk);
                    return;
                }
                var chunkContacts = contacts.Skip((int)(chunk * size)).Take(size).Where(c => !c.IsErased).ToList();
                var now = clock.GetUtcNow();
                var skipped = chunkContacts.Where(c => !Includes(c)).Select(c => new CampaignSendRecord(launch.VendorId, launch.PartnerId, launch.LaunchId,
                    touch.TouchId, LaunchWorkflow.SendId(launch.LaunchId, touch.TouchId, c.Email), c.Email, brand.CompanyName,
                    CampaignSendState.SkippedAudience, 0, now) { LastError = $"audience {audience}" }).ToList();
                await sendLog.RecordSkippedAsync(skipped, ct);
                var batch = chunkContacts.Where(Includes).Select(c =>
                {
                    var recipient = new Dictionary<string, object?>
                    {
                        ["first_name"] = c.FirstName, ["last_name"] = c.LastName, ["company"] = c.Company, ["email"] = c.Email,
                    };
                    var (rendered, renderError) = prepared.Render(LiquidModel.ForRecipient(recipient, links), ct);
                    if (rendered is null) throw new InvalidOperationException($"launch {launch.LaunchId}: email '{touch.ContentId}' failed for a recipient: {renderError}");
                    var name = $"{c.FirstName} {c.LastName}".Trim();
                    return new CampaignEmail(launch.VendorId, launch.PartnerId, launch.LaunchId, touch.TouchId,
                        LaunchWorkflow.SendId(launch.LaunchId, touch.TouchId, c.Email), c.Email, name.Length == 0 ? null : name,
                        brand.CompanyName, brand.Contact.Email, string.Join(", ", brand.Contact.Address.Lines()),
                        rendered.Subject, rendered.Html, rendered.Text, kit.Manifest.Name);
                }).ToList();
                await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
                    async (m, token) => await messages.SendAsync(CampaignEmail.Queue, m, cancellationToken: token));
                await store.RecordChunkAsync(launch.VendorId, launch.LaunchId, touch.TouchId, chunk + 1, ct);
            }
            count = contacts.Count(c => !c.IsErased && Includes(c));
        }
        else
        {
            var post = kit.Manifest.Content.Social.First(p => p.Id == touch.ContentId);
            var landing = LandingUrl(launch.PublicBaseUrl, launch.VendorId, launch.PartnerId, launch.KitId, launch.LaunchId);
            var text = previews.Social(kit, brand, launch.Edits, landing, landing).First(p => p.Id == post.Id);
            if (text.Problem is not null) throw new InvalidOperationException($"launch {launch.LaunchId}: post '{post.Id}' cannot be sent: {text.Problem}");
            string? imageKey = null;
            if (post.Image is { } imageId)
            {
                var (_, key, errors) = await previews.ImageAsync(kit, brand, launch.Edits, imageId, ct);
                imageKey = key ?? throw new InvalidOperationException($"launch {launch.LaunchId}: image '{imageId}' cannot be rendered: {string.Join("; ", errors)}");
            }
            await messages.SendAsync(SocialPostDue.Queue, new SocialPostDue(launch.VendorId, launch.PartnerId, launch.LaunchId, touch.TouchId,
                $"{launch.LaunchId}.{touch.TouchId}.{post.Network.ToString().ToLowerInvariant()}", post.Network, text.Text,
                imageKey is null ? null : RenderStore.Container, imageKey, touch.DueUtc), cancellationToken: ct);
            count = 1;
        }
        await workflows.RaiseAsync(LaunchWorkflow.TypeName, LaunchWorkflow.InstanceId(work.VendorId, work.LaunchId),
            new WorkflowEvent($"touch-sent:{touch.Index}", LaunchWorkflow.TouchSentEvent, "system:launch", JsonSerializer.Serialize(new TouchSent(touch.Index, count), WorkflowJson.Options)), ct);
    }

    private static bool StillSending(LaunchState? state, int touch) =>
        state is { Status: LaunchStatus.Running } && state.AllTouches.FirstOrDefault(t => t.Index == touch) is { State: TouchState.Sending };

    private async Task<(LaunchRecord, KitVersion, BrandProfile)> LoadAsync(LaunchWork work, CancellationToken ct)
    {
        var launch = await store.LaunchAsync(work.VendorId, work.LaunchId, ct) ?? throw new InvalidDataException($"no launch {work.LaunchId} of vendor {work.VendorId}");
        var kit = await kitFiles.GetAsync(launch.VendorId, launch.KitId, launch.Version, ct) ?? throw new InvalidOperationException($"launch {launch.LaunchId}: kit {launch.KitId} {launch.Version} is missing");
        var brand = await brands.GetAsync(launch.VendorId, launch.PartnerId, ct) ?? throw new InvalidOperationException($"launch {launch.LaunchId}: partner {launch.PartnerId} has no brand profile");
        return (launch, kit, brand);
    }

    /// <summary>A recalled kit version: every launch of it stops its pending touches. Repeats are no-ops.</summary>
    public async Task<int> RecallAsync(KitRecalled recalled, CancellationToken ct)
    {
        var ids = await store.LaunchIdsOfAsync(recalled.VendorId, recalled.KitId, recalled.Version, ct);
        foreach (var id in ids)
            await workflows.RaiseAsync(LaunchWorkflow.TypeName, LaunchWorkflow.InstanceId(recalled.VendorId, id),
                new WorkflowEvent($"recalled:{recalled.KitId}:{recalled.Version}", LaunchWorkflow.Recalled, $"vendor:{recalled.RecalledBy}"), ct);
        return ids.Count;
    }
}

/// <summary>What the mailer and the social publisher ask before each send.</summary>
public sealed class LaunchSendGate(LaunchService launches, LaunchStore store, KitIndex kits) : ILaunchSendGate
{
    public async Task<bool> MaySendAsync(string vendorId, string launchId, string touchId, CancellationToken cancellationToken)
    {
        if (!VendorIds.IsValid(vendorId) || string.IsNullOrEmpty(launchId)) return false;
        var state = await launches.StateAsync(vendorId, launchId, cancellationToken);
        if (state is null || !state.MaySend(touchId)) return false;
        // The recall message may still be on its way: the kit's own row has the last word.
        var launch = await store.LaunchAsync(vendorId, launchId, cancellationToken);
        var row = launch is null ? null : await kits.GetAsync(vendorId, launch.KitId, launch.Version, cancellationToken);
        return row is { KitStatus: KitStatus.Published };
    }
}
