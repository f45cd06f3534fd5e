// The pull-through cache's rules, pre-fetch list and eviction as the flat "Mirror__…" app settings the program binds
// (src/ServerlessRegistry/Mirror/MirrorOptions.cs). Pure functions, so a test evaluates them with the real Bicep CLI.

@export()
@description('One cache rule (README, "Pull-through cache"). Optional fields left out or empty are not set, so the program\'s defaults apply.')
type mirrorRule = {
  @description('The local repository or prefix the rule serves: hub/nginx, docker.io/*.')
  local: string

  @description('The upstream registry and path: https://registry-1.docker.io/*, ghcr.io/*, docker.io/library/nginx.')
  upstream: string

  @description('What containerd sends as ?ns= for this upstream. Default: the upstream\'s host (docker.io for Docker Hub).')
  namespace: string?

  @description('Upstream user name; needs passwordSecretUri (the program refuses one without the other).')
  username: string?

  @description('Key Vault secret URI holding the upstream password or token, e.g. https://myvault.vault.azure.net/secrets/hub. Read with the app\'s identity, never put in the template.')
  passwordSecretUri: string?

  @description('TimeSpan, e.g. 00:05:00: how long a pulled tag is served without asking the upstream again.')
  tagCheckInterval: string?

  @description('TimeSpan, e.g. 00:00:10: how long the upstream may take to answer before the cache answers alone.')
  timeout: string?
}

@export()
@description('An image kept warm by the pre-fetch timer: a local repository under a cache rule and its tag patterns.')
type mirrorPrefetchEntry = {
  repository: string
  tags: string[]
}

// A setting exists only for a field that has a value: an empty TimeSpan would not bind, and an empty Username or
// Password would read as "set" to nobody. A password is only ever a Key Vault reference, resolved by the platform.
func ruleSettings(rule mirrorRule, i int) object => toObject(
  filter(items({
    Local: rule.local
    Upstream: rule.upstream
    Namespace: rule.?namespace ?? ''
    Username: rule.?username ?? ''
    Password: empty(rule.?passwordSecretUri ?? '') ? '' : '@Microsoft.KeyVault(SecretUri=${rule.passwordSecretUri!})'
    TagCheckInterval: rule.?tagCheckInterval ?? ''
    Timeout: rule.?timeout ?? ''
  }), e => !empty(e.value)),
  e => 'Mirror__Rules__${i}__${e.key}',
  e => e.value)

func prefetchSettings(entry mirrorPrefetchEntry, i int) object => union(
  { 'Mirror__Prefetch__${i}__Repository': entry.repository },
  toObject(range(0, length(entry.tags)), j => 'Mirror__Prefetch__${i}__Tags__${j}', j => entry.tags[j]))

@export()
@description('The Mirror__… app settings for the given rules, pre-fetch entries and eviction age (empty: the program\'s default). No rules, no entries and no age give an empty object.')
func mirrorAppSettings(rules mirrorRule[], prefetch mirrorPrefetchEntry[], evictUnpulledAfter string) object => reduce(
  concat(
    map(range(0, length(rules)), i => ruleSettings(rules[i], i)),
    map(range(0, length(prefetch)), i => prefetchSettings(prefetch[i], i)),
    empty(evictUnpulledAfter) ? [] : [{ Mirror__EvictUnpulledAfter: evictUnpulledAfter }]),
  {},
  (all, next) => union(all, next))
