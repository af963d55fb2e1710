// Tcma in Azure: one Function App on the Flex Consumption plan (Linux) running our ASP.NET Core
// executable as a custom handler, one storage account reached only through a user-assigned managed
// identity, Application Insights on Log Analytics, and Key Vault for the secrets.
// Deploy: az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam

@description('Short name used to derive resource names.')
@minLength(2)
@maxLength(8)
param appName string = 'tcma'

@description('Environment label (dev, test, prod); part of the unique naming token.')
param environmentName string = 'prod'

param location string = resourceGroup().location

@description('Tables the app uses. Add a name here when a capability adds a table.')
param tables array = [
  'Workflows'
  'WorkflowDue'
  'Idempotency'
  'ApiKeys'
  'TokenUses'
  'VendorUsers'
  'BrandProfiles'
  'Funds'
  'Kits'
  'Leads'
  'LeadEmails'
  'LeadRouting'
  'Partners'
  'CampaignSends'
  'Suppressions'
  'TrackedLinks'
  'Clicks'
  'CampaignEngagement'
  'Payouts'
  'FundExpiries'
  'SocialAccounts'
  'SocialPosts'
  'RateLimits'
  'LeadImports'
  'CrmWebhooks'
  'CrmDeliveries'
  'CrmDeliveryLog'
  'LeadErasures'
  'MdfPrograms'
  'MdfRequests'
  'Launches'
  'OutboxEmails'
  'PartnerContacts'
  'PartnerSessions'
  'DashboardCounters'
  'DealRules'
  'DealClaims'
  'DealIndex'
  'Deals'
  'DealAttributions'
]

@description('Queues the app uses; each also gets its "-poison" queue, where the Functions host moves a message after five failed attempts.')
param queues array = [
  'workflow-timers'
  'render-requests'
  'leads-captured'
  'email-outbox'
  'kit-recalls'
  'campaign-emails'
  'social-posts'
  'leads-route'
  'leads-sync'
  'crm-webhooks'
  'mdf-commands'
  'launch-work'
  'partner-signins'
  'deal-commands'
]

@description('Blob containers the app uses.')
param containers array = [
  'payloads'
  'kits'
  'renders'
  'brand-logos'
  'proofs'
  'lead-imports'
  'launch-contacts'
]

@description('Memory per instance; the Flex Consumption plan offers these sizes.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on scale-out (Flex Consumption allows 40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Custom handler runtime version on Flex Consumption.')
param customRuntimeVersion string = '1.0'

@description('Key that signs partner launch links and approver action tokens (at least 32 random bytes, Base64).')
@secure()
param tokenSigningKey string

@description('Key that encrypts partners\' social-network tokens at rest (exactly 32 random bytes, Base64).')
@secure()
param socialTokenKey string

@description('SMTP relay used to send campaign and workflow emails.')
param smtpHost string

param smtpPort int = 587

param smtpUserName string

@secure()
param smtpPassword string

@description('Sender address for platform emails.')
param emailFrom string

@description('Where people reach the app from emailed links (launch, lead and MDF links, unsubscribe and tracked links, OAuth callbacks), e.g. https://go.example.com; empty: the Function App\'s own azurewebsites.net name.')
param publicBaseUrl string = ''

@description('From address of campaign emails, on the platform\'s sending domain (the partner\'s name is its display name); default: emailFrom.')
param campaignFrom string = emailFrom

@description('Client id of the Entra ID app registration for App Service Authentication; empty leaves the auth module off.')
param entraClientId string = ''

param logRetentionDays int = 30

var token = uniqueString(subscription().id, resourceGroup().id, appName, environmentName)
var storageAccountName = toLower('st${appName}${token}')
var deploymentContainerName = 'app-package'
var allQueues = flatten(map(queues, q => [q, '${q}-poison']))
var tags = {
  application: 'tcma'
  environment: environmentName
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${appName}-${token}'
  location: location
  tags: tags
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${appName}-${token}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${appName}-${token}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Telemetry is accepted only with an Entra token (the managed identity), never with the bare key.
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // No account keys: every client (host, app, deployment) authenticates with the managed identity.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    accessTier: 'Hot'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for name in concat(containers, [deploymentContainerName]): {
    parent: blobService
    name: name
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource storageQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for name in allQueues: {
    parent: queueService
    name: name
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource storageTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for name in tables: {
    parent: tableService
    name: name
  }
]

// Least privilege: data-plane roles on this one account only, no management-plane role, no keys.
// Storage Blob Data Contributor at account scope also covers what Flex Consumption needs on the
// deployment container (it reads the package blob with this identity); the host's leases and the
// app's blobs need nothing more.
resource blobDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe') // Storage Blob Data Contributor
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '974c5e8b-45b9-4653-ba55-5f855dd0fb88') // Storage Queue Data Contributor
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3') // Storage Table Data Contributor
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Application Insights refuses key-only ingestion (DisableLocalAuth), so the identity publishes.
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, '3913510d-42f4-4e42-8a64-420c390055eb')
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb') // Monitoring Metrics Publisher
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${take(appName, 6)}-${token}'
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource signingKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'token-signing-key'
  properties: {
    value: tokenSigningKey
    contentType: 'base64'
  }
}

resource socialTokenKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'social-token-key'
  properties: {
    value: socialTokenKey
    contentType: 'base64'
  }
}

resource smtpPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'smtp-password'
  properties: {
    value: smtpPassword
  }
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, '4633458b-17de-408a-b874-0445c86b69e6')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6') // Key Vault Secrets User
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${appName}-${token}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

// Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME as an app setting: the custom-handler runtime is
// declared in functionAppConfig.runtime instead.
var appSettings = [
  { name: 'AzureWebJobsStorage__accountName', value: storage.name }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
  { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
  // The Functions host owns queue and timer triggers in Azure; the app's local trigger host stays off.
  { name: 'LocalTriggerHost__Enabled', value: 'false' }
  { name: 'Email__SmtpHost', value: smtpHost }
  { name: 'Email__SmtpPort', value: string(smtpPort) }
  { name: 'Email__UserName', value: smtpUserName }
  { name: 'Email__From', value: emailFrom }
  { name: 'Email__Password', value: '@Microsoft.KeyVault(SecretUri=${smtpPasswordSecret.properties.secretUri})' }
  { name: 'Email__CampaignFrom', value: campaignFrom }
  { name: 'PublicBaseUrl', value: empty(publicBaseUrl) ? 'https://func-${appName}-${token}.azurewebsites.net' : publicBaseUrl }
  // To rotate: add Tokens__Keys__<new id> beside this one, move Tokens__ActiveKey to it, remove the old one once its links expired.
  { name: 'Tokens__Keys__primary', value: '@Microsoft.KeyVault(SecretUri=${signingKeySecret.properties.secretUri})' }
  { name: 'Tokens__ActiveKey', value: 'primary' }
  { name: 'Syndication__TokenKeys__primary', value: '@Microsoft.KeyVault(SecretUri=${socialTokenKeySecret.properties.secretUri})' }
  { name: 'Syndication__ActiveTokenKey', value: 'primary' }
]

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-${appName}-${token}'
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity (there is no system identity).
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: appSettings
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'custom'
        version: customRuntimeVersion
      }
    }
  }
  dependsOn: [
    // The host reaches storage and Key Vault as soon as it starts: grant access first.
    blobDataContributor
    queueDataContributor
    tableDataContributor
    metricsPublisher
    vaultSecretsUser
    blobContainers
  ]
}

// Publishing with basic (user name + password) credentials is off; deploy with an Entra identity.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

// App Service Authentication validates Entra ID tokens and passes the caller's identity to the app,
// but lets anonymous requests through: signed partner links, /health and approver action links carry
// their own authorisation, and the app decides per endpoint.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: !empty(entraClientId)
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: !empty(entraClientId)
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          clientId: entraClientId
        }
        validation: {
          allowedAudiences: empty(entraClientId) ? [] : [
            'api://${entraClientId}'
            entraClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output functionAppHostName string = functionApp.properties.defaultHostName
output functionAppName string = functionApp.name
output storageAccountName string = storage.name
output identityClientId string = identity.properties.clientId
output keyVaultName string = vault.name
