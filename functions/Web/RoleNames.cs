using Tcma.Domain.Identity;

namespace Tcma.Functions.Web;

public static class RoleNames
{
    public static string Label(VendorRole role) => role switch
    {
        VendorRole.VendorAdmin => "Vendor admin",
        VendorRole.ChannelManager => "Channel manager",
        VendorRole.MdfApprover => "MDF approver",
        VendorRole.Finance => "Finance",
        _ => role.ToString(),
    };
}
