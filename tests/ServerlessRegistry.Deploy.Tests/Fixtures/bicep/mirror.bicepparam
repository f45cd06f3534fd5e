// infra/main.bicep with mirror rules, pre-fetch entries, an eviction age and a Key Vault for the passwords.
// MirrorSettingsTests expects exactly the app settings these give.
using '../../../../infra/main.bicep'

param environmentName = 'test'
param location = 'westeurope'
param mirrorRules = [
  {
    local: 'docker.io/*'
    upstream: 'https://registry-1.docker.io/*'
    username: 'puller'
    passwordSecretUri: 'https://kv-mirror.vault.azure.net/secrets/docker-hub'
    tagCheckInterval: '00:10:00'
    timeout: '00:00:20'
  }
  // Empty optional fields are the same as absent ones.
  { local: 'ghcr.io/*', upstream: 'ghcr.io/*', namespace: '', username: '', passwordSecretUri: '', tagCheckInterval: '' }
  { local: 'hub/nginx', upstream: 'docker.io/library/nginx', namespace: 'docker.io' }
]
param mirrorPrefetch = [
  { repository: 'docker.io/library/alpine', tags: ['3.*', 'latest'] }
  { repository: 'hub/nginx', tags: ['1.27'] }
]
param mirrorEvictUnpulledAfter = '90.00:00:00'
param mirrorKeyVaultName = 'kv-mirror'
param mirrorKeyVaultResourceGroup = 'rg-secrets'
