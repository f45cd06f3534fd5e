// ServerlessRegistry on Azure Functions Flex Consumption (.NET isolated worker, dotnet-isolated 10.0), deployed by `azd up`.
// Subscription scope: creates the resource group, then the Entra app registration, monitoring, storage, the
// function app and its role assignments. No account keys or secrets anywhere: every caller uses Entra ID.
targetScope = 'subscription'

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

var tags = { 'azd-env-name': environmentName }
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module entra 'app/entra.bicep' = {
  name: 'entra'
  scope: rg
  params: {
    environmentName: environmentName
    resourceToken: resourceToken
    principalId: principalId
  }
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
    registryPrefix: storage.outputs.registryPrefix
    appInsightsName: monitoring.outputs.appInsightsName
    tenantId: tenant().tenantId
    audience: entra.outputs.clientId
    publicUrl: publicUrl
    anonymousPullPrefixes: anonymousPullPrefixes
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
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

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = function.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.accountName
// What `docker login` takes: the custom domain if one is configured, else the app's default host name.
output REGISTRY_LOGIN_SERVER string = empty(publicUrl) ? function.outputs.defaultHostName : replace(replace(publicUrl, 'https://', ''), '/', '')
output REGISTRY_CLIENT_ID string = entra.outputs.clientId
