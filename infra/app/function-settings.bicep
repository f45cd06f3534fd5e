// The function app's settings: every setting the program and the host read. A module of its own, deployed after
// both the site (the settings name its host name) and the Entra app registration (whose sign-in redirect URI names
// that host name too, and whose client id the settings carry).
import { mirrorAppSettings, mirrorRule, mirrorPrefetchEntry } from 'mirror-settings.bicep'
import { eventsAppSettings, eventWebhook, replicationRule } from 'events-settings.bicep'

param siteName string
param storageAccountName string
param registryPrefix string
param appInsightsName string
param tenantId string
@description('Client id of the registry\'s Entra app registration: the audience of the tokens it accepts.')
param audience string
param publicUrl string
param anonymousPullPrefixes string
@description('Pull-through cache rules; passwords are Key Vault secret URIs.')
param mirrorRules mirrorRule[]
param mirrorPrefetch mirrorPrefetchEntry[]
param mirrorEvictUnpulledAfter string
@description('Whether the registry publishes its events to an Event Grid topic (main.bicep\'s eventGrid).')
param eventGrid bool
@description('That topic\'s endpoint; ignored without eventGrid. Known only once the topic exists, so the flag, not this, decides.')
param eventGridEndpoint string
@description('Webhooks for the registry\'s events; secrets are Key Vault secret URIs.')
param eventWebhooks eventWebhook[]
@description('Push replication rules; passwords are Key Vault secret URIs.')
param replicationRules replicationRule[]
param eventPulls bool

// The largest request body the host lets through: one PATCH carrying a whole layer, as docker sends it.
// Equals AzureSettings.LargestLayerBytes (10 GiB; a test checks). The 230 s response deadline still applies.
var largestLayerBytes = '10737418240'

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: siteName
}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Every setting the program and the host read, and no other. Identity-based throughout: no connection string
// carries a key. Keys the registry reads are listed in src/ServerlessRegistry/Hosting/AzureSettings.cs, and a test
// cross-checks them against the template as `bicep snapshot` evaluates it. A settings resource rather than siteConfig.appSettings: its
// values may depend on the site's own runtime properties (the default host name). This resource replaces every app
// setting on each deployment, so the mirror's and the events' settings come from parameters too (mirror-settings.bicep,
// events-settings.bicep): one set by hand would be lost at the next `azd up`.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union({
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__blobServiceUri: account.properties.primaryEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: account.properties.primaryEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: account.properties.primaryEndpoints.table
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    // Telemetry is sent with the app's identity (Monitoring Metrics Publisher): local auth is off on the component.
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: largestLayerBytes
    // The catch-all function owns "/"; the host's page is never wanted.
    AzureWebJobsDisableHomepage: 'true'
    Storage__AccountName: account.name
    Storage__Prefix: registryPrefix
    // The worker sees the host's proxy on loopback; the public URL comes from here, not from forwarded headers.
    Registry__PublicUrl: empty(publicUrl) ? 'https://${site.properties.defaultHostName}' : publicUrl
    Auth__Enabled: 'true'
    Auth__Entra__TenantIds__0: tenantId
    Auth__Entra__Audiences__0: audience
    Auth__AnonymousPullPrefixes: anonymousPullPrefixes
    // The events queue's trigger (EventFunctions.cs): the queue the program sends to ({Storage:Prefix}events, see
    // EventQueues.cs), reached with the app's system-assigned identity (Storage Queue Data Contributor, rbac.bicep).
    // Set whether or not a destination is configured: the host cannot index the function without them. A user-assigned
    // identity would also need EventsQueue__clientId.
    EventsQueueName: '${registryPrefix}events'
    EventsQueue__queueServiceUri: account.properties.primaryEndpoints.queue
    EventsQueue__credential: 'managedidentity'
  }, eventGrid ? { Events__EventGrid__Endpoint: eventGridEndpoint } : {}, mirrorAppSettings(mirrorRules, mirrorPrefetch, mirrorEvictUnpulledAfter),
    eventsAppSettings(eventWebhooks, replicationRules, eventPulls))
}
