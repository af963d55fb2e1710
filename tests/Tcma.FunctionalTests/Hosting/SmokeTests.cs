using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Hosting;

public sealed class SmokeTests
{
    [Fact]
    public async Task Local_services_start_and_the_app_boots_against_them()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = app.CreateClient();
        var response = await client.GetAsync("/no-such-page");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
