using Microsoft.AspNetCore.Authorization;
using Tcma.Domain.Identity;

namespace Tcma.Functions.Identity;

/// <summary>
/// The named policies every endpoint chooses from (or it says <c>AllowAnonymous()</c>). An endpoint that declares
/// neither is refused by the fallback policy, and a functional test lists every endpoint to prove each declares one.
/// </summary>
public static class Policies
{
    /// <summary>Any person or API key acting for a vendor.</summary>
    public const string VendorUser = nameof(VendorUser);
    /// <summary>Manages the vendor's users and API keys; only people, never API keys.</summary>
    public const string VendorAdmin = nameof(VendorAdmin);
    public const string ChannelManager = nameof(ChannelManager);
    public const string MdfApprover = nameof(MdfApprover);
    public const string Finance = nameof(Finance);
    /// <summary>A partner who came in through a valid signed link; the link's purpose is in <see cref="TcmaClaims.LinkPurpose"/>.</summary>
    public const string Partner = nameof(Partner);

    public static IReadOnlyList<string> All { get; } = [VendorUser, VendorAdmin, ChannelManager, MdfApprover, Finance, Partner];

    internal static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(VendorUser, p => p.RequireAssertion(c => c.User.IsVendorActor()));
        // Roles are exact: an admin is not implicitly an MDF approver or finance, so money decisions stay with the people named for them.
        options.AddPolicy(VendorAdmin, p => p.RequireAssertion(c =>
            c.User.IsVendorActor() && c.User.Kind() == ActorKinds.VendorUser && c.User.IsInRole(nameof(VendorRole.VendorAdmin))));
        options.AddPolicy(ChannelManager, p => p.RequireAssertion(c => c.User.IsVendorActor() && c.User.IsInRole(nameof(VendorRole.ChannelManager))));
        options.AddPolicy(MdfApprover, p => p.RequireAssertion(c => c.User.IsVendorActor() && c.User.IsInRole(nameof(VendorRole.MdfApprover))));
        options.AddPolicy(Finance, p => p.RequireAssertion(c => c.User.IsVendorActor() && c.User.IsInRole(nameof(VendorRole.Finance))));
        options.AddPolicy(Partner, p => p.RequireAssertion(c => c.User.IsPartner()));

        // Requests that matched no endpoint (404s, static files) pass; an endpoint that forgot to declare its identity is refused.
        options.FallbackPolicy = new AuthorizationPolicyBuilder()
            .RequireAssertion(c => c.Resource is HttpContext http && http.GetEndpoint() is null)
            .Build();
    }

    /// <summary>The role a role policy demands, for pages and tests that need to name it.</summary>
    public static VendorRole? RoleOf(string policy) => policy switch
    {
        VendorAdmin => VendorRole.VendorAdmin,
        ChannelManager => VendorRole.ChannelManager,
        MdfApprover => VendorRole.MdfApprover,
        Finance => VendorRole.Finance,
        _ => null,
    };
}

/// <summary>Marks an endpoint whose <c>{vendorId}</c> route value must be the caller's own vendor.</summary>
public sealed class VendorScopedMetadata
{
    public const string RouteValue = "vendorId";
}

public static class VendorScopeExtensions
{
    /// <summary>
    /// Answers 404 (not 403) when the route's vendor is not the caller's, so one vendor cannot even learn whether
    /// another vendor's resource exists.
    /// </summary>
    public static TBuilder RequireVendorScope<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new VendorScopedMetadata());
        builder.AddEndpointFilter(async (context, next) =>
        {
            var routeVendor = context.HttpContext.Request.RouteValues[VendorScopedMetadata.RouteValue] as string;
            var callerVendor = context.HttpContext.User.VendorId();
            if (routeVendor is null || callerVendor is null || !string.Equals(routeVendor, callerVendor, StringComparison.Ordinal))
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found");
            return await next(context);
        });
        return builder;
    }
}
