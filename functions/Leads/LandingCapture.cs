using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Tcma.Domain.Leads;
using Tcma.Functions.Launches;
using Tcma.Storage;
using Tcma.Storage.Leads;
using Tcma.Storage.Messaging;

namespace Tcma.Functions.Leads;

/// <summary>Limits of the public landing-page form; defaults from <see cref="RateLimit"/>.</summary>
public sealed class LandingCaptureOptions
{
    public const string Section = "Leads:LandingPages";
    public int PerIpMax { get; set; } = RateLimit.PerIp.Max;
    public TimeSpan PerIpWindow { get; set; } = RateLimit.PerIp.Window;
    public int PerFormMax { get; set; } = RateLimit.PerForm.Max;
    public TimeSpan PerFormWindow { get; set; } = RateLimit.PerForm.Window;
    /// <summary>
    /// Origins (scheme://host[:port]) a form POST may come from besides the request's own host, e.g. the public
    /// address in front of the Function App when the host it sees differs.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>What became of a landing-page form POST.</summary>
public abstract record LandingCaptureOutcome
{
    private LandingCaptureOutcome() { }

    /// <summary>Queued (or, for a bot, silently dropped): either way the visitor sees the thank-you page.</summary>
    public sealed record Captured(string SubmissionId) : LandingCaptureOutcome;

    /// <summary>Shown again with every problem next to its field and what was typed kept.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string> Errors, IReadOnlyDictionary<string, string> Values, string SubmissionId) : LandingCaptureOutcome;

    public sealed record Limited(TimeSpan RetryAfter) : LandingCaptureOutcome;

    public sealed record Refused(int StatusCode, string Message) : LandingCaptureOutcome;
}

/// <summary>
/// A landing-page form POST, on the same capture path as the API: checked with <see cref="SubmissionValidation"/>,
/// put on <c>leads-captured</c> before the visitor is thanked, recorded by the LeadCaptured function. Anonymous and
/// without an antiforgery token (a cached public page cannot carry one), so a cross-site POST is refused by its
/// Origin instead, and floods are refused per IP and per form.
/// </summary>
public sealed class LandingCapture(RateLimitStore limits, IMessageSender messages, TimeProvider clock, Microsoft.Extensions.Options.IOptions<LandingCaptureOptions> options)
{
    /// <summary>A form of every field at its limit is under 8 KiB; 16 KiB leaves room for URL encoding.</summary>
    public const int MaxBodyBytes = 16 * 1024;
    /// <summary>Hidden from people (off-screen, not tabbable, autocomplete off) and named so that browsers do not autofill it.</summary>
    public const string HoneypotField = "hp_leave_empty";
    public const string ConsentField = "consent";
    public const string SubmissionField = "submission";
    public const string LaunchField = "launch";

    public async Task<LandingCaptureOutcome> SubmitAsync(HttpRequest request, LandingPage page, string? launchId, CancellationToken ct)
    {
        if (!SameOrigin(request, options.Value.AllowedOrigins))
            return new LandingCaptureOutcome.Refused(StatusCodes.Status403Forbidden, "This form can only be sent from its own page.");
        if (!request.HasFormContentType || request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
            return new LandingCaptureOutcome.Refused(StatusCodes.Status415UnsupportedMediaType, "Send the form from its page.");
        var body = await ReadBodyAsync(request, ct);
        if (body is null)
            return new LandingCaptureOutcome.Refused(StatusCodes.Status413PayloadTooLarge, "The form is too long. Shorten your answers and send it again.");

        var now = clock.GetUtcNow();
        var ip = ClientIp(request);
        var o = options.Value;
        // Per IP first: one noisy address must not use up the form's allowance for everyone else.
        foreach (var (key, limit) in new[] { ($"ip|{ip}", new RateLimit(o.PerIpMax, o.PerIpWindow)), ($"form|{page.VendorId}|{page.PartnerId}|{page.KitId}", new RateLimit(o.PerFormMax, o.PerFormWindow)) })
        {
            var check = await limits.TryAcquireAsync(key, limit, now, ct);
            if (!check.Allowed) return new LandingCaptureOutcome.Limited(check.RetryAfter);
        }

        Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form;
        try
        {
            form = QueryHelpers.ParseQuery("?" + Encoding.UTF8.GetString(body));
        }
        catch (Exception e) when (e is ArgumentException or FormatException or DecoderFallbackException)
        {
            return new LandingCaptureOutcome.Refused(StatusCodes.Status400BadRequest, "The form could not be read. Send it again from its page.");
        }
        string? Field(string name) => form.TryGetValue(name, out var v) ? v.ToString() : null;
        var submissionId = Field(SubmissionField) is { Length: 32 } given && given.All(char.IsAsciiHexDigitLower) ? given : Guid.NewGuid().ToString("N");
        var values = page.Fields.ToDictionary(f => f.Name, f => Field(f.Name) ?? "");

        var submission = new LeadSubmission
        {
            SubmissionId = submissionId,
            VendorId = page.VendorId,
            Source = new LeadSource.LandingPage(page.PartnerId, launchId ?? "", page.KitId),
            ReceivedAt = now,
            Email = Value("email"), FirstName = Value("firstName"), LastName = Value("lastName"), Phone = Value("phone"),
            Company = Value("company"), JobTitle = Value("jobTitle"), Country = Value("country"), Region = Value("region"),
            PostalCode = Value("postalCode"), CompanySize = Value("companySize"), ProductInterest = Value("productInterest"),
            // The text the visitor saw, rendered for this partner: what they agreed to, word for word.
            ConsentText = page.ConsentText,
            SourcePage = SourcePage(request, page, launchId),
            IpAddress = ip,
            Honeypot = Field(HoneypotField),
        };
        var check2 = SubmissionValidation.Check(submission);
        var errors = check2 is SubmissionCheck.Invalid invalid
            ? invalid.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => string.Join("; ", g.Select(e => e.Message)))
            : new Dictionary<string, string>();
        if (check2 is not SubmissionCheck.Bot)
        {
            if (Field(ConsentField) != "yes")
                errors["consentText"] = "please tick the box to agree, or we cannot contact you";
            // A select only offers the kit's options; anything else was not typed on this page.
            foreach (var f in page.Fields.Where(f => f.Options.Count > 0 && values[f.Name].Length > 0 && !f.Options.Contains(values[f.Name].Trim())))
                errors[f.Name] = "is not one of the choices";
        }

        switch (check2)
        {
            case SubmissionCheck.Bot:
                return new LandingCaptureOutcome.Captured(submissionId);
            case SubmissionCheck.Valid when errors.Count == 0:
                await messages.SendAsync(LeadEndpoints.CapturedQueue, submission, cancellationToken: ct);
                return new LandingCaptureOutcome.Captured(submissionId);
            default:
                return new LandingCaptureOutcome.Invalid(errors, values, submissionId);
        }

        // Only the page's own fields are read: anything else a client adds is ignored.
        string? Value(string name) => page.Fields.Any(f => f.Name == name) ? Field(name) : null;
    }

    /// <summary>The launch id from the link (<c>?launch=</c>), when it is a plausible id; anything else is not kept.</summary>
    public static string? LaunchId(string? given) =>
        given is { Length: > 0 and <= 100 } && TableKeys.IsValid(given) && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? given : null;

    /// <summary>
    /// A browser sends Origin with every form POST; Referer is the fallback for old ones. Neither present means no browser
    /// page sent it, and a cross-site page gets its own origin refused.
    /// </summary>
    public static bool SameOrigin(HttpRequest request, IReadOnlyCollection<string> allowed)
    {
        var claimed = request.Headers.Origin.ToString();
        if (claimed.Length == 0 || claimed == "null")
            claimed = Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer) ? referer.GetLeftPart(UriPartial.Authority) : "";
        if (!Uri.TryCreate(claimed, UriKind.Absolute, out var origin)) return false;
        var own = $"{request.Scheme}://{request.Host}";
        return string.Equals(origin.GetLeftPart(UriPartial.Authority), own, StringComparison.OrdinalIgnoreCase)
            || allowed.Any(a => string.Equals(a.TrimEnd('/'), origin.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The visitor's address. Behind the Functions host the app sees the host on loopback and the front end's
    /// X-Forwarded-For names the visitor; a direct connection is trusted as it is.
    /// </summary>
    public static string ClientIp(HttpRequest request)
    {
        var remote = request.HttpContext.Connection.RemoteIpAddress;
        if (remote is null || IPAddress.IsLoopback(remote))
        {
            var forwarded = request.Headers["X-Forwarded-For"].ToString().Split(',')[0].Trim();
            if (IPAddress.TryParse(forwarded, out var client)) return client.ToString();
        }
        return (remote?.IsIPv4MappedToIPv6 == true ? remote.MapToIPv4() : remote)?.ToString() ?? "0.0.0.0";
    }

    private static string SourcePage(HttpRequest request, LandingPage page, string? launchId) =>
        $"{request.Scheme}://{request.Host}{page.Path}" + (launchId is null ? "" : $"?launch={Uri.EscapeDataString(launchId)}");

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
