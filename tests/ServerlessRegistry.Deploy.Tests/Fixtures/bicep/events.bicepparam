// infra/main.bicep with two webhooks, one replication rule, pull events and a Key Vault for their secrets.
// EventsSettingsTests expects exactly the app settings these give.
using '../../../../infra/main.bicep'

param environmentName = 'test'
param location = 'westeurope'
param eventWebhooks = [
  {
    name: 'ci'
    url: 'https://ci.example.com/hooks/registry'
    secretUri: 'https://kv-events.vault.azure.net/secrets/ci-signing'
    actions: ['push', 'delete']
    repositories: ['team/**', 'base/*']
    headers: { X_Source: 'registry' }
    headerSecretUris: { Authorization: 'https://kv-events.vault.azure.net/secrets/ci-auth' }
  }
  // Empty optional fields are the same as absent ones.
  { name: 'audit', url: 'https://audit.example.com/in', secretUri: '', actions: [], headers: {}, headerSecretUris: {} }
]
param replicationRules = [
  {
    name: 'backup'
    destination: 'https://backup.example.com'
    username: 'replicator'
    passwordSecretUri: 'https://kv-events.vault.azure.net/secrets/backup-token'
    repositories: ['team/**']
    tags: ['v*', 'latest']
    namespace: 'mirror'
  }
]
param eventPulls = true
param mirrorKeyVaultName = 'kv-events'
