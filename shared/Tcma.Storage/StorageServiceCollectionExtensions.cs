using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Storage.Messaging;

namespace Tcma.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The storage account and the storage helpers every capability shares. Safe to call more than once.</summary>
    public static IServiceCollection AddTcmaStorage(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => StorageAccount.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<IMessageSender, QueueMessageSender>();
        services.TryAddSingleton<IdempotencyStore>();
        services.TryAddSingleton<PayloadStore>();
        return services;
    }
}
