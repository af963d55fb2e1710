using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Tcma.Domain.Launches;
using Tcma.Email;
using Tcma.Email.Campaigns;
using Tcma.Functions.Hosting;
using Tcma.Storage.Launches;

namespace Tcma.Functions.Launches;

/// <summary>
/// The campaign mailer: the queue function on <c>campaign-emails</c>, and the two pages every campaign email links to
/// (<c>/u/{token}</c> unsubscribe, <c>/r/{token}</c> tracked links, <c>/o/{token}</c> the open pixel).
/// </summary>
public static class CampaignMailFunction
{
    public const string FunctionName = "CampaignMail";

    public static WebApplicationBuilder AddCampaignMail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CampaignEmailOptions>().BindConfiguration("Email")
            .Validate(CampaignEmailOptions.IsValid, "Email:PublicBaseUrl must be an absolute http(s) URL, Email:CampaignFrom and Email:UnsubscribeMailbox addresses, the campaign rates above zero and the retry delays positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<CampaignSendLog>();
        builder.Services.TryAddSingleton<SuppressionList>();
        builder.Services.TryAddSingleton<ClickTracking>();
        builder.Services.TryAddSingleton<CampaignEngagementStore>();
        builder.Services.TryAddSingleton<CampaignMailThrottle>();
        builder.Services.TryAddKeyedSingleton<IEmailSender, CampaignSmtpSender>(CampaignSmtpSender.ServiceKey);
        builder.Services.TryAddSingleton<ICampaignLinks, CampaignMailLinks>();
        // Not a singleton: the send gate (ILaunchSendGate, registered by launches) may be scoped.
        builder.Services.TryAddScoped<CampaignMailer>();
        builder.Services.AddFunction(new FunctionDefinition(FunctionName, new QueueFunctionTrigger(CampaignEmail.Queue), HandleAsync));
        return builder;
    }

    public static WebApplication MapCampaignMail(this WebApplication app)
    {
        app.MapUnsubscribe();
        app.MapTrackedLinks();
        app.MapOpenPixel();
        return app;
    }

    /// <summary>
    /// A message that is not a campaign email, or names no vendor, launch or send (so no outcome can be recorded for
    /// it), throws: the host retries it and then moves it to <c>campaign-emails-poison</c>, with this reason logged.
    /// Everything else ends in a recorded state or a delayed copy of the message; only a storage failure throws.
    /// </summary>
    internal static async Task HandleAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        var email = invocation.ReadMessage<CampaignEmail>();
        if (email is null || string.IsNullOrWhiteSpace(email.VendorId) || string.IsNullOrWhiteSpace(email.LaunchId) || string.IsNullOrWhiteSpace(email.SendId)
            || string.IsNullOrWhiteSpace(email.PartnerId))
            throw new InvalidDataException("the message names no vendor, partner, launch or send, so its outcome could not be recorded");
        var outcome = await services.GetRequiredService<CampaignMailer>().SendAsync(email, ct);
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CampaignMailFunction))
            .LogDebug("Campaign send {SendId}: {Outcome}", email.SendId, outcome);
    }
}
