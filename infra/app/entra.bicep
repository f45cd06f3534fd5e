// The registry's Entra ID app registration, with the Microsoft Graph Bicep extension (bicepconfig.json pins it).
// Users and workload identities sign in with an Entra access token for this app (audience = its client id), and
// browsers sign in to the web interface with an ID token for it; the app roles they hold map to registry actions. The deploying user must be allowed to create applications
// (Application.ReadWrite.All or the Application Developer role).
extension microsoftGraphV1

param environmentName string
param resourceToken string
@description('Object id of the user running azd; gets Registry.Admin. Empty skips the assignment.')
param principalId string = ''
@description('Where Entra returns a browser signing in to the web interface: {public base URL}/signin-oidc.')
param webRedirectUri string

// Fixed ids: an app role's id must never change once tokens and assignments refer to it.
var appRoles = [
  { id: '628a46a5-87ca-4667-ba74-8a7dd44bf43c', value: 'Registry.Pull', displayName: 'Pull', description: 'Pull images and read tags and referrers.' }
  { id: '1cb65d97-d702-4120-8da6-edf896c5d691', value: 'Registry.Push', displayName: 'Push', description: 'Push images and tags (includes pull).' }
  { id: 'c4e96f42-ad82-4479-88eb-4d2aef864779', value: 'Registry.Delete', displayName: 'Delete', description: 'Delete manifests, tags and blobs.' }
  { id: '4627e0cb-a188-47ee-bdcc-1da223950df6', value: 'Registry.Admin', displayName: 'Admin', description: 'Every action, including the catalog and access tokens.' }
]

// One delegated scope so that a client (the Azure CLI below) can ask for a token for this API.
var userImpersonationScopeId = 'b99fefcb-01e1-47ac-a6de-03b1ebf07ab2'
// The Azure CLI's well-known client id: pre-authorized, so `az account get-access-token --scope <client id>/.default`
// works without a consent prompt.
var azureCliAppId = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: 'serverless-registry-${resourceToken}'
  displayName: 'ServerlessRegistry (${environmentName})'
  signInAudience: 'AzureADMyOrg'
  api: {
    // v2 tokens carry the client id as their audience.
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      {
        id: userImpersonationScopeId
        value: 'user_impersonation'
        type: 'User'
        isEnabled: true
        adminConsentDisplayName: 'Use the registry'
        adminConsentDescription: 'Sign in to the container registry as the signed-in user.'
        userConsentDisplayName: 'Use the registry'
        userConsentDescription: 'Sign in to the container registry as you.'
      }
    ]
    preAuthorizedApplications: [
      {
        appId: azureCliAppId
        delegatedPermissionIds: [userImpersonationScopeId]
      }
    ]
  }
  // The web interface signs people in with OpenID Connect and reads their app roles from the ID token, which Entra
  // posts back (form_post) to the redirect URI; no client secret is involved.
  web: {
    redirectUris: [webRedirectUri]
    implicitGrantSettings: {
      enableIdTokenIssuance: true
    }
  }
  appRoles: [for role in appRoles: {
    id: role.id
    value: role.value
    displayName: role.displayName
    description: role.description
    allowedMemberTypes: ['User', 'Application']
    isEnabled: true
  }]
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: app.appId
}

resource adminAssignment 'Microsoft.Graph/appRoleAssignedTo@v1.0' = if (!empty(principalId)) {
  appRoleId: appRoles[3].id
  principalId: principalId
  resourceId: servicePrincipal.id
}

output clientId string = app.appId
