using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Domain.Workflows;

namespace Tcma.Storage.Workflows;

public static class WorkflowServiceCollectionExtensions
{
    /// <summary>The workflow runtime. Each capability adds its workflow types with <see cref="AddWorkflow{T}"/>.</summary>
    public static IServiceCollection AddWorkflowEngine(this IServiceCollection services)
    {
        services.AddTcmaStorage();
        services.AddOptions<WorkflowOptions>().BindConfiguration("Workflows");
        services.TryAddSingleton<WorkflowRegistry>();
        services.TryAddSingleton<WorkflowEngine>();
        return services;
    }

    public static IServiceCollection AddWorkflow<T>(this IServiceCollection services) where T : class, IWorkflowDefinition
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWorkflowDefinition, T>());
        return services;
    }
}
