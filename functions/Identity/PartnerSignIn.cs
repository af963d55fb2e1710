using System.Net;
using Microsoft.Extensions.Options;
using Tcma.Domain.Identity;
using Tcma.Domain.Launches;
using Tcma.Domain.Leads;
using Tcma.Domain.Partners;
using Tcma.Email;
using Tcma.Email.Outbox;
using Tcma.Functions.Hosting;
using Tcma.Functions.Portal;
using Tcma.Storage.Leads;
using Tcma.Storage.Messaging;
using Tcma.Storage.Partners;

namespace Tcma.Functions.Identity;

/// <summary>A sign-in link asked for: what the <c>partner-signins</c> queue carries to <see cref="PartnerSignIn.SendAsync"/>.</summary>
public sealed record SignInRequested(string Email, string? ReturnUrl, string RequestId, string BaseUrl);

/// <summary>What the sign-in page tells the person: the same for every address, except when they ask too often.</summary>
public abstract record SignInAsk
{
    public sealed record Sent(string Email) : SignInAsk;
    public sealed record NotAnAddress(string Message) : SignInAsk;
    public sealed record TooOften(TimeSpan RetryAfter, bool FromThisNetwork) : SignInAsk;
}

/// <summary>One partner a signed-in address may act for, as the chooser and the email name it.</summary>
public sealed record PartnerChoice(string VendorId, string VendorName, string PartnerId, string CompanyName, string ContactName, string Email);

/// <summary>
/// Passwordless sign-in to the partner portal. Asking only counts the request against its limits and queues it, so the
/// answer (and the time it takes) is the same whether or not the address is a partner contact; the queue function looks
/// the address up and, for an active partner's contact, emails one signed, single-use link. The link's subject is the
/// address's hash: using it (a POST; a GET only asks) proves the address, and the partners it may act for are read again.
/// </summary>
public sealed class PartnerSignIn(
    PartnerContactIndex contacts, PartnerDirectory partners, LinkTokens tokens, EmailOutbox outbox, IMessageSender messages,
    RateLimitStore limits, PortalCatalog catalog, IOptions<PartnerPortalOptions> options, TimeProvider clock, ILogger<PartnerSignIn> logger)
{
    public const string Queue = "partner-signins";
    public const string FunctionName = "PartnerSignInLink";
    /// <summary>A sign-in link belongs to an address, not a vendor; the token's vendor field says so.</summary>
    public const string AnyVendor = "-";
    public const int MaxEmailLength = 254;

    private PartnerPortalOptions Options => options.Value;

    public static string? EmailProblem(string? email)
    {
        var e = email?.Trim() ?? "";
        if (e.Length == 0) return "Enter the email address your vendor has for you.";
        if (e.Length > MaxEmailLength || !ContactList.IsEmailAddress(e)) return "That is not an email address; check it and try again.";
        return null;
    }

    public async Task<SignInAsk> RequestAsync(string? email, string clientIp, string? returnUrl, string baseUrl, CancellationToken ct)
    {
        if (EmailProblem(email) is { } problem) return new SignInAsk.NotAnAddress(problem);
        var address = email!.Trim();
        var now = clock.GetUtcNow();
        var perIp = await limits.TryAcquireAsync("signin-ip|" + clientIp, new RateLimit(Options.SignInsPerIpPerHour, TimeSpan.FromHours(1)), now, ct);
        if (!perIp.Allowed) return new SignInAsk.TooOften(perIp.RetryAfter, FromThisNetwork: true);
        // Counted for every address, known or not, so hitting the limit says nothing about the address either.
        var perAddress = await limits.TryAcquireAsync("signin-address|" + PartnerContactIndex.EmailKey(address),
            new RateLimit(Options.SignInsPerAddressPerHour, TimeSpan.FromHours(1)), now, ct);
        if (!perAddress.Allowed) return new SignInAsk.TooOften(perAddress.RetryAfter, FromThisNetwork: false);
        await messages.SendAsync(Queue, new SignInRequested(address, Schemes.PartnerReturnUrl(returnUrl), Guid.NewGuid().ToString("N"), baseUrl.TrimEnd('/')), cancellationToken: ct);
        return new SignInAsk.Sent(address);
    }

    /// <summary>
    /// The queue function's work: nothing for an address no active partner lists; otherwise one email (keyed by the
    /// request, so a redelivered message sends it once) with a link for the address.
    /// </summary>
    public async Task SendAsync(SignInRequested request, CancellationToken ct)
    {
        if (EmailProblem(request.Email) is not null || string.IsNullOrEmpty(request.RequestId) || request.RequestId.Length > 64
            || !Uri.TryCreate(request.BaseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw new InvalidDataException("a sign-in request must name an address, a request id and a base URL");
        var key = PartnerContactIndex.EmailKey(request.Email);
        var choices = await ChoicesAsync(key, ct);
        if (choices.Count == 0)
        {
            logger.LogInformation("Sign-in link asked for an address no active partner lists; nothing sent");
            return;
        }
        var token = tokens.Create(TokenPurposes.SignIn, key, AnyVendor, Options.SignInLinkLifetime);
        var link = $"{(Options.PublicBaseUrl ?? request.BaseUrl).TrimEnd('/')}/partner/signin/continue?t={Uri.EscapeDataString(token)}"
                   + (request.ReturnUrl is { } r && r != "/partner" ? "&returnUrl=" + Uri.EscapeDataString(r) : "");
        await outbox.EnqueueAsync(Email(request.Email, choices, link), $"signin:{request.RequestId}", ct);
    }

    private EmailMessage Email(string to, IReadOnlyList<PartnerChoice> choices, string link)
    {
        var first = choices[0];
        var vendors = string.Join(" and ", choices.Select(c => c.VendorName).Distinct());
        var minutes = (int)Options.SignInLinkLifetime.TotalMinutes;
        var text = $"Hello {first.ContactName},\n\nSign in to the partner portal of {vendors} with this link:\n{link}\n\n" +
                   $"It works once, for {minutes} minutes. If you did not ask for it, ignore this email: nobody can sign in without the link.\n";
        var html = $"<p>Hello {WebUtility.HtmlEncode(first.ContactName)},</p>" +
                   $"<p>Sign in to the partner portal of {WebUtility.HtmlEncode(vendors)}:</p>" +
                   $"<p><a href=\"{WebUtility.HtmlEncode(link)}\" style=\"display:inline-block;background:#0a58ca;color:#ffffff;padding:12px 24px;border-radius:6px;text-decoration:none;font-weight:bold\">Sign in</a></p>" +
                   $"<p>It works once, for {minutes} minutes. If you did not ask for it, ignore this email: nobody can sign in without the link.</p>";
        return new EmailMessage(to, choices.Count == 1 ? $"Sign in to the {first.VendorName} partner portal" : "Sign in to your partner portal", text, html)
        {
            ToName = first.ContactName,
            FromName = choices.Count == 1 ? first.VendorName : null,
        };
    }

    /// <summary>The partners that really list this address today: the index is asked, every partner row has the last word.</summary>
    public async Task<IReadOnlyList<PartnerChoice>> ChoicesAsync(string emailKey, CancellationToken ct)
    {
        var choices = new List<PartnerChoice>();
        foreach (var m in await contacts.FindAsync(emailKey, ct))
        {
            if (await partners.GetAsync(m.VendorId, m.PartnerId, ct) is not { Partner: { Status: PartnerStatus.Active } partner }) continue;
            if (partner.Contacts.FirstOrDefault(c => PartnerContactIndex.EmailKey(c.Email) == emailKey) is not { } contact) continue;
            choices.Add(new PartnerChoice(m.VendorId, await catalog.VendorNameAsync(m.VendorId, ct), partner.Id, partner.CompanyName, contact.Name, contact.Email.Trim()));
        }
        return choices.OrderBy(c => c.VendorName, StringComparer.CurrentCultureIgnoreCase).ThenBy(c => c.CompanyName, StringComparer.CurrentCultureIgnoreCase).ToList();
    }

    /// <summary>Whether a sign-in link can still be used (a GET of it only shows the Continue button, and uses nothing).</summary>
    public bool IsUsable(string? token) => tokens.Verify(token, TokenPurposes.SignIn).IsValid;

    /// <summary>
    /// Uses the link (once: a second use, even a racing one, gets nothing) and returns the partners the address may act
    /// for now, with a short-lived token that lets the person choose among them; null when the link cannot be used.
    /// </summary>
    public async Task<(IReadOnlyList<PartnerChoice> Choices, string ChoiceToken)?> UseAsync(string? token, CancellationToken ct)
    {
        var used = await tokens.ConsumeAsync(token, TokenPurposes.SignIn, ct);
        if (!used.IsValid) return null;
        var key = used.Token!.Subject;
        return (await ChoicesAsync(key, ct), tokens.Create(TokenPurposes.SignInChoice, key, AnyVendor, Options.ChoiceLifetime));
    }

    /// <summary>The partner the person picked after using a link, if the choice token is theirs and the address is still its contact.</summary>
    public async Task<PartnerChoice?> ChosenAsync(string? choiceToken, string? vendorId, string? partnerId, CancellationToken ct)
    {
        var verified = tokens.Verify(choiceToken, TokenPurposes.SignInChoice);
        if (!verified.IsValid) return null;
        return (await ChoicesAsync(verified.Token!.Subject, ct)).FirstOrDefault(c => c.VendorId == vendorId && c.PartnerId == partnerId);
    }

    /// <summary>The queue function: a malformed message throws and ends in <c>partner-signins-poison</c>.</summary>
    internal static Task HandleAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredService<PartnerSignIn>().SendAsync(
            invocation.ReadMessage<SignInRequested>() ?? throw new InvalidDataException("an empty sign-in request"), ct);
}
