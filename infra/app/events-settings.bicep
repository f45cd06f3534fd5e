// The events feature's webhooks, replication rules and pull events as the flat "Events__…" app
// settings the program binds (src/ServerlessRegistry/Events/EventsOptions.cs). Pure functions, so a test evaluates
// them with the real Bicep CLI. Event Grid's endpoint is set by function-settings.bicep (it names a deployed topic).

@export()
@description('A webhook (README, "Events"): POSTs each event it accepts to url. Optional fields left out or empty are not set.')
type eventWebhook = {
  @description('Unique among webhooks; names the webhook in logs and in `registry events failed`.')
  name: string

  @description('The endpoint, an absolute http(s) URL.')
  url: string

  @description('Key Vault secret URI of the signing secret: each delivery then carries X-Registry-Signature-256 (HMAC-SHA256 of the body).')
  secretUri: string?

  @description('Actions wanted (push, pull, mount, delete, fill); empty: all.')
  actions: string[]?

  @description('Repository patterns (doublestar globs); empty: every repository.')
  repositories: string[]?

  @description('Headers sent with every delivery, name to value. Names may hold only letters, digits and _ (App Service app setting names on Linux): Authorization works, X-Api-Key does not.')
  headers: { *: string }?

  @description('Headers whose values are secrets, name to Key Vault secret URI, e.g. {"Authorization":"https://myvault.vault.azure.net/secrets/hook-auth"}. Same name rule as headers.')
  headerSecretUris: { *: string }?
}

@export()
@description('A push replication rule: copies pushed images matching repositories (and tags) to destination.')
type replicationRule = {
  @description('Unique among rules: letters, digits, ".", "_" and "-".')
  name: string

  @description('The destination registry\'s base URL, e.g. https://backup.example.com (no path).')
  destination: string

  @description('Destination user name; needs passwordSecretUri (the program refuses one without the other).')
  username: string?

  @description('Key Vault secret URI of the destination password or token. Read with the app\'s identity, never put in the template.')
  passwordSecretUri: string?

  @description('Repository patterns (doublestar globs) to copy; at least one.')
  repositories: string[]

  @description('Tag patterns to copy; empty: every tag.')
  tags: string[]?

  @description('Prepended to the repository name at the destination; empty: same name.')
  namespace: string?
}

// Only values that are set become settings: an empty Uri or TimeSpan would not bind, and an empty Username or Password
// would read as "set". A secret is only ever a Key Vault reference, resolved by the platform with the app's identity.
func secretReference(secretUri string) string => empty(secretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${secretUri})'

func listSettings(prefix string, values string[]) object => toObject(range(0, length(values)), j => '${prefix}__${j}', j => values[j])

// App Service on Linux drops or refuses setting names with '-' or '.', so such a header would silently not be sent:
// the deployment fails instead, naming the header.
func headerSettings(prefix string, headers object, webhook string) object => toObject(
  items(headers),
  e => contains(e.key, '-') || contains(e.key, '.')
    ? fail('Webhook \'${webhook}\': header \'${e.key}\' cannot be an app setting name (letters, digits and _ only); use Authorization or the signing secret (secretUri).')
    : '${prefix}__${e.key}',
  e => e.value)

func nonEmpty(settings object) object => toObject(filter(items(settings), e => !empty(e.value)), e => e.key, e => e.value)

func webhookSettings(hook eventWebhook, i int) object => union(
  nonEmpty({
    'Events__Webhooks__${i}__Name': hook.name
    'Events__Webhooks__${i}__Url': hook.url
    'Events__Webhooks__${i}__Secret': secretReference(hook.?secretUri ?? '')
  }),
  listSettings('Events__Webhooks__${i}__Actions', hook.?actions ?? []),
  listSettings('Events__Webhooks__${i}__Repositories', hook.?repositories ?? []),
  headerSettings('Events__Webhooks__${i}__Headers', nonEmpty(hook.?headers ?? {}), hook.name),
  headerSettings('Events__Webhooks__${i}__Headers', nonEmpty(toObject(items(hook.?headerSecretUris ?? {}), e => e.key, e => secretReference(e.value))), hook.name))

func replicationSettings(rule replicationRule, i int) object => union(
  nonEmpty({
    'Events__Replication__${i}__Name': rule.name
    'Events__Replication__${i}__Destination': rule.destination
    'Events__Replication__${i}__Username': rule.?username ?? ''
    'Events__Replication__${i}__Password': secretReference(rule.?passwordSecretUri ?? '')
    'Events__Replication__${i}__Namespace': rule.?namespace ?? ''
  }),
  listSettings('Events__Replication__${i}__Repositories', rule.repositories),
  listSettings('Events__Replication__${i}__Tags', rule.?tags ?? []))

@export()
@description('The Events__… app settings (Event Grid aside) for the given webhooks, replication rules and pull flag. Nothing configured gives an empty object.')
func eventsAppSettings(webhooks eventWebhook[], replication replicationRule[], pulls bool) object => reduce(
  concat(
    map(range(0, length(webhooks)), i => webhookSettings(webhooks[i], i)),
    map(range(0, length(replication)), i => replicationSettings(replication[i], i)),
    pulls ? [{ Events__Pulls: 'true' }] : []),
  {},
  (all, next) => union(all, next))
