// ServerlessRegistry on Azure Functions Flex Consumption (.NET isolated worker, dotnet-isolated 10.0), deployed by `azd up`.
// Subscription scope: creates the resource group, monitoring, storage, the function app, the Entra app registration
// (its web sign-in redirect names the app's host), the app's settings and its role assignments, and with eventGrid an
// Event Grid topic for the registry's events. No account keys or secrets anywhere: every caller uses Entra ID, and the
// mirror's upstream passwords and the events' webhook and replication secrets stay in the operator's Key Vault (the app
// settings only name them).
targetScope = 'subscription'

import { mirrorRule, mirrorPrefetchEntry } from 'app/mirror-settings.bicep'
import { eventWebhook, replicationRule } from 'app/events-settings.bicep'

@minLength(1)
@maxLength(40)
@description('Name of the azd environment: names the resource group and tags every resource.')
param environmentName string

@minLength(1)
@description('Region for every resource. Flex Consumption must be offered there.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the user running azd (AZURE_PRINCIPAL_ID). Gets the Registry.Admin app role. Empty skips it.')
param principalId string = ''

@description('Public base URL if a custom domain fronts the app, e.g. https://registry.example.com. Empty: the app\'s default host name.')
param publicUrl string = ''

@description('Repository prefixes anyone may pull without signing in, comma-separated (e.g. "public/"). Empty: none.')
param anonymousPullPrefixes string = ''

@allowed([512, 2048, 4096])
@description('Memory per instance (MB): 512 = 0.25 vCPU, 2048 = 1 vCPU, 4096 = 2 vCPU.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Upper bound on scale-out, which is also the upper bound on spend.')
param maximumInstanceCount int = 40

@description('Pull-through cache rules (Mirror:Rules), e.g. [{"local":"docker.io/*","upstream":"https://registry-1.docker.io/*","username":"me","passwordSecretUri":"https://myvault.vault.azure.net/secrets/hub"}]. A password is a Key Vault secret URI, set as a Key Vault reference the app reads with its identity. Empty: no mirror.')
param mirrorRules mirrorRule[] = []

@description('Images the pre-fetch timer keeps warm (Mirror:Prefetch), e.g. [{"repository":"docker.io/library/alpine","tags":["3.*","latest"]}]. Empty: none.')
param mirrorPrefetch mirrorPrefetchEntry[] = []

@description('Mirror:EvictUnpulledAfter, a TimeSpan such as 30.00:00:00 (00:00:00 keeps cached content for ever). Empty: the program\'s default, 30 days.')
param mirrorEvictUnpulledAfter string = ''

@description('Name of the Key Vault (Azure RBAC) holding the secrets the settings name (mirror and replication passwords, webhook secrets and secret headers): the app\'s identity gets Key Vault Secrets User on it. Empty: grant that role yourself.')
param mirrorKeyVaultName string = ''

@description('Resource group of mirrorKeyVaultName, in this subscription. Empty: the registry\'s own resource group.')
param mirrorKeyVaultResourceGroup string = ''

@description('Publish pushes and deletes to a new Event Grid topic as CloudEvents 1.0 (ACR\'s event types), sent with the app\'s identity; subscribe to the topic to react to them. Sets Events:EventGrid:Endpoint.')
param eventGrid bool = false

@description('Webhooks for the registry\'s events (Events:Webhooks), e.g. [{"name":"ci","url":"https://ci.example.com/hook","secretUri":"https://myvault.vault.azure.net/secrets/hook","actions":["push"],"repositories":["team/**"]}]. Secrets (secretUri, headerSecretUris) are Key Vault secret URIs, set as Key Vault references. Empty: none.')
param eventWebhooks eventWebhook[] = []

@description('Push replication rules (Events:Replication), e.g. [{"name":"backup","destination":"https://backup.example.com","username":"me","passwordSecretUri":"https://myvault.vault.azure.net/secrets/backup","repositories":["**"]}]. A password is a Key Vault secret URI. Empty: none.')
param replicationRules replicationRule[] = []

@description('Whether manifest pulls are events too (Events:Pulls): every pull then costs a queue write.')
param eventPulls bool = false

var tags = { 'azd-env-name': environmentName }
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
  }
}

module function 'app/function.bicep' = {
  name: 'function'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    storageAccountName: storage.outputs.accountName
    deploymentContainerName: storage.outputs.deploymentContainerName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
}

// Where browsers reach the registry: the custom domain if one is configured, else the app's default host name.
var publicBase = empty(publicUrl) ? 'https://${function.outputs.defaultHostName}' : publicUrl

module entra 'app/entra.bicep' = {
  name: 'entra'
  scope: rg
  params: {
    environmentName: environmentName
    resourceToken: resourceToken
    principalId: principalId
    webRedirectUri: '${publicBase}/signin-oidc'
  }
}

module eventGridTopic 'app/eventgrid.bicep' = if (eventGrid) {
  name: 'eventgrid'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    principalId: function.outputs.principalId
  }
}

module functionSettings 'app/function-settings.bicep' = {
  name: 'function-settings'
  scope: rg
  params: {
    siteName: function.outputs.name
    storageAccountName: storage.outputs.accountName
    registryPrefix: storage.outputs.registryPrefix
    appInsightsName: monitoring.outputs.appInsightsName
    tenantId: tenant().tenantId
    audience: entra.outputs.clientId
    publicUrl: publicUrl
    anonymousPullPrefixes: anonymousPullPrefixes
    mirrorRules: mirrorRules
    mirrorPrefetch: mirrorPrefetch
    mirrorEvictUnpulledAfter: mirrorEvictUnpulledAfter
    eventGrid: eventGrid
    eventGridEndpoint: eventGrid ? eventGridTopic!.outputs.endpoint : ''
    eventWebhooks: eventWebhooks
    replicationRules: replicationRules
    eventPulls: eventPulls
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.accountName
    appInsightsName: monitoring.outputs.appInsightsName
    principalId: function.outputs.principalId
  }
}

module mirrorKeyVault 'app/keyvault-rbac.bicep' = if (!empty(mirrorKeyVaultName)) {
  name: 'mirror-keyvault'
  scope: resourceGroup(empty(mirrorKeyVaultResourceGroup) ? rg.name : mirrorKeyVaultResourceGroup)
  params: {
    keyVaultName: mirrorKeyVaultName
    principalId: function.outputs.principalId
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = function.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.accountName
// What `docker login` takes: the custom domain if one is configured, else the app's default host name.
output REGISTRY_LOGIN_SERVER string = empty(publicUrl) ? function.outputs.defaultHostName : replace(replace(publicUrl, 'https://', ''), '/', '')
output REGISTRY_CLIENT_ID string = entra.outputs.clientId
// The topic to subscribe to when eventGrid is on; empty otherwise.
output REGISTRY_EVENT_GRID_TOPIC string = eventGrid ? eventGridTopic!.outputs.name : ''
