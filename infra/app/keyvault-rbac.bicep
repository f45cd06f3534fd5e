// Key Vault Secrets User on the operator's vault for the function app's identity, so the platform can resolve the
// @Microsoft.KeyVault(SecretUri=…) settings: mirror and replication passwords, webhook secrets and secret headers.
// The vault is not this template's: it is only referenced, in its own resource group, and must use Azure RBAC (not
// access policies). Deployed only when a vault is named.
param keyVaultName string
param principalId string

// Built-in "Key Vault Secrets User": read secret contents, nothing else (a test checks the GUID).
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource secretsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
