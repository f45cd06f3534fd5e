// One StorageV2 account for the Functions host (AzureWebJobsStorage, deployment package) and the registry's data.
// Shared key access is off, so only Entra ID callers get in, and blob redirects use user-delegation SAS.
param location string
param tags object
@minLength(13)
@maxLength(13)
@description('uniqueString() of the environment: 13 characters, so the account name is 15.')
param resourceToken string

@description('The registry\'s Storage:Prefix: names its container and prefixes its tables (StorageLayout.cs).')
param registryPrefix string = 'registry'

// StorageLayout's tables are {prefix}{suffix}; a test checks this list against the code.
var registryTableSuffixes = ['uploads', 'blobs', 'repos', 'catalog', 'auth', 'pulls']
// The events feature's queues (EventQueues.cs): live deliveries and dead letters, which is also the name the Functions
// host gives the live queue's poison queue. A test checks this list against the code.
var registryQueueSuffixes = ['events', 'events-poison']
var deploymentContainerName = 'app-package-${resourceToken}'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource registryContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: registryPrefix
  properties: { publicAccess: 'None' }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource registryTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for suffix in registryTableSuffixes: {
  parent: tableService
  name: '${registryPrefix}${suffix}'
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource registryQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for suffix in registryQueueSuffixes: {
  parent: queueService
  name: '${registryPrefix}${suffix}'
}]

output accountName string = account.name
output deploymentContainerName string = deploymentContainer.name
output registryPrefix string = registryPrefix
