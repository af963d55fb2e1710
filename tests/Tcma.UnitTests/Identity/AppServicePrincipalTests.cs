using System.Text;
using Tcma.Domain.Identity;

namespace Tcma.UnitTests.Identity;

public sealed class AppServicePrincipalTests
{
    [Fact]
    public void Reads_the_object_id_email_and_name_from_the_header_App_Service_sends()
    {
        const string json = """
            {"auth_typ":"aad","claims":[
              {"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"00000000-0000-0000-0000-000000000042"},
              {"typ":"preferred_username","val":"ana@acme.example"},
              {"typ":"name","val":"Ana Lopez"}],
             "name_typ":"name","role_typ":"http://schemas.microsoft.com/ws/2008/06/identity/claims/role"}
            """;
        var principal = AppServicePrincipal.TryParse(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)));

        Assert.NotNull(principal);
        Assert.Equal("aad", principal.AuthenticationType);
        Assert.Equal("00000000-0000-0000-0000-000000000042", principal.ObjectId);
        Assert.Equal("ana@acme.example", principal.Email);
        Assert.Equal("Ana Lopez", principal.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 !!")]
    [InlineData("bm90IGpzb24=")] // "not json"
    [InlineData("e30=")]         // "{}": no auth type, no claims
    public void Unreadable_headers_give_no_principal(string header) => Assert.Null(AppServicePrincipal.TryParse(header));

    [Fact]
    public void Encode_round_trips()
    {
        var principal = AppServicePrincipal.TryParse(AppServicePrincipal.Encode("aad", [("oid", "u1"), ("email", "u1@x.example")]));
        Assert.Equal("u1", principal!.ObjectId);
        Assert.Equal("u1@x.example", principal.Email);
    }
}
