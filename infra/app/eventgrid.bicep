// The Event Grid topic the registry publishes its events to as CloudEvents 1.0 (main.bicep's eventGrid parameter).
// Local auth is off: no key or SAS token can publish; the function app's identity sends with an Entra ID token, as
// EventGrid Data Sender on this topic only. Subscriptions (webhooks, queues, functions) are the operator's to add.
param location string
param tags object
param resourceToken string
@description('Object id of the function app\'s identity, which publishes the events.')
param principalId string

// Built-in "EventGrid Data Sender": publish to the topic, nothing else (a test checks the GUID).
var eventGridDataSender = 'd5a91429-5739-47e2-a06b-3470a27159e7'

resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: 'evgt-${resourceToken}'
  location: location
  tags: tags
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    // Reachable as the rest of the deployment is (the app and its storage account are public, Entra ID only).
    publicNetworkAccess: 'Enabled'
    minimumTlsVersionAllowed: '1.2'
  }
}

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, principalId, eventGridDataSender)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Events:EventGrid:Endpoint, https://{topic}.{region}-1.eventgrid.azure.net/api/events.
output endpoint string = topic.properties.endpoint
output name string = topic.name
