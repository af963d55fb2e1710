namespace Tcma.Functions.Hosting;

public static class FunctionHost
{
    /// <summary>Declares a function; every capability calls this for each of its queue, timer and HTTP functions.</summary>
    public static IServiceCollection AddFunction(this IServiceCollection services, FunctionDefinition definition)
        => services.AddSingleton(definition);

    public static WebApplicationBuilder AddFunctionHost(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication MapFunctionHost(this WebApplication app)
    {
        return app;
    }
}
