using Azure.Core;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Tcma.Storage.Messaging;

/// <summary>
/// Queue clients that hand over message bodies exactly as stored. The local trigger host decodes Base64
/// itself, as the Functions host does, so a message that is not Base64 is moved to the poison queue instead
/// of failing the whole receive (the SDK's Base64 client throws for it). Same account as
/// <see cref="StorageAccount.FromConfiguration"/>.
/// </summary>
public static class RawQueueService
{
    public static QueueServiceClient FromConfiguration(IConfiguration configuration)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        var setting = StorageAccount.SettingName;
        var accountName = configuration[$"{setting}:accountName"] ?? configuration[$"{setting}__accountName"];
        if (!string.IsNullOrWhiteSpace(accountName))
        {
            var clientId = configuration[$"{setting}:clientId"] ?? configuration[$"{setting}__clientId"];
            TokenCredential credential = string.IsNullOrEmpty(clientId)
                ? new DefaultAzureCredential()
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
            return new QueueServiceClient(new Uri($"https://{accountName}.queue.core.windows.net"), credential, options);
        }
        var connectionString = configuration[setting];
        return new QueueServiceClient(string.IsNullOrWhiteSpace(connectionString) ? StorageAccount.AzuriteDevelopment : connectionString, options);
    }
}
