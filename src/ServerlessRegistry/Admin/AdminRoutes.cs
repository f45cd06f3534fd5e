using System.Collections.Frozen;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Events;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Mirror;
using ServerlessRegistry.Policies;
using static ServerlessRegistry.Core.Errors.ErrorKind;

namespace ServerlessRegistry.Admin;

/// <summary>
/// Every admin API operation under /api/admin/v1, grouped by resource. Adding one is a line here and a named handler in its
/// feature; the OpenAPI document and the command line's calls follow from this table. Every operation needs an admin
/// caller (<see cref="AdminAccess"/>) except the OpenAPI document itself, which is public as the repository is.
/// </summary>
internal static class AdminRoutes
{
    public const string Prefix = "/api/admin/v1";

    private static AdminParameter Flag(string name, string description) => new(name, typeof(bool), description);

    private static AdminParameter Text(string name, string description, bool required = false) => new(name, typeof(string), description, required);

    public static IReadOnlyList<AdminOperation> Operations { get; } =
    [
        new("GET", "/openapi.json", "getOpenApiDocument", "meta", "This document (OpenAPI 3.1); no credentials needed.", AdminOpenApi.GetDocument) { Anonymous = true, Response = typeof(System.Text.Json.Nodes.JsonObject) },

        new("GET", "/tokens", "listTokens", "tokens", "List access tokens (never their secrets), expired ones included.", TokenAdmin.ListTokens) { Response = typeof(Page<TokenView>), Paged = true },
        new("POST", "/tokens", "createToken", "tokens", "Create an access token; its secret is in this answer only.", TokenAdmin.CreateToken) { Body = typeof(TokenCreate), Response = typeof(CreatedToken), Status = 201, Errors = [Conflict] },
        new("GET", "/tokens/{name}", "getToken", "tokens", "One access token.", TokenAdmin.GetToken) { Response = typeof(TokenView), Errors = [NotFound] },
        new("DELETE", "/tokens/{name}", "revokeToken", "tokens", "Revoke an access token: sign-in stops at once, issued bearer tokens within Auth:RevocationCheckInterval.", TokenAdmin.RevokeToken) { Status = 204, Errors = [NotFound] },

        new("GET", "/usage", "getUsage", "maintenance", "Storage per repository, from metadata only: logical, deduplicated and exclusive bytes.", MaintenanceAdmin.GetUsage) { Response = typeof(UsageView), Paged = true },
        new("POST", "/gc", "collectGarbage", "maintenance", "Collect garbage now, or report what a collection would delete (dryRun).", MaintenanceAdmin.CollectGarbage) { Body = typeof(GcRequest), Response = typeof(GcReportView) },

        new("GET", "/policies", "listPolicies", "policies", "List retention, immutable-tag and quota rules (quotas with their use).", PolicyAdmin.ListPolicies) { Response = typeof(Page<PolicyView>), Paged = true },
        new("GET", "/policies/{name}", "getPolicy", "policies", "One rule, every field.", PolicyAdmin.GetPolicy) { Response = typeof(PolicyView), Errors = [NotFound] },
        new("PUT", "/policies/{name}", "putPolicy", "policies", "Create or replace a rule (201 when created); in effect everywhere within 60 s.", PolicyAdmin.PutPolicy) { Body = typeof(PolicySpec), Response = typeof(PolicyView), MayCreate = true, Errors = [Conflict] },
        new("DELETE", "/policies/{name}", "deletePolicy", "policies", "Remove a rule of any kind, even one this version cannot read (a quota's counter goes with it); answers the kind removed.", PolicyAdmin.DeletePolicy) { Response = typeof(RemovedPolicy), Errors = [NotFound] },
        new("GET", "/locks", "listLocks", "policies", "List locks on repositories, tags and manifests.", PolicyAdmin.ListLocks) { Response = typeof(Page<LockView>), Paged = true },
        new("PUT", "/locks", "putLock", "policies", "Lock a repository, tag or manifest (target: repo, repo:tag or repo@digest); replaces a lock on it.", PolicyAdmin.PutLock) { Body = typeof(LockSpec), Response = typeof(LockView), Query = [Text("target", "repo, repo:tag or repo@digest", required: true)] },
        new("DELETE", "/locks", "deleteLock", "policies", "Remove the lock on a repository, tag or manifest.", PolicyAdmin.DeleteLock) { Status = 204, Query = [Text("target", "repo, repo:tag or repo@digest", required: true)], Errors = [NotFound] },
        new("GET", "/policy-explanation", "explainPolicies", "policies", "Which rules and locks apply to a repository, and what retention would delete now.", PolicyAdmin.ExplainPolicies) { Response = typeof(PolicyExplanation), Query = [Text("repository", "a repository, or a tag (repo:tag) or manifest (repo@digest) in it", required: true)] },
        new("POST", "/retention/run", "runRetention", "policies", "Apply the retention rules now, or report what they would delete (dryRun).", PolicyAdmin.RunRetention) { Body = typeof(RetentionRunRequest), Response = typeof(RetentionRunView) },
        new("POST", "/quotas/reconcile", "reconcileQuotas", "policies", "Recount every quota from what its repositories hold and correct its counter, or only report the drift (dryRun).", PolicyAdmin.ReconcileQuotas) { Body = typeof(QuotaReconcileRequest), Response = typeof(QuotaReconcileView) },

        new("GET", "/cache-rules", "listCacheRules", "mirror", "List cache rules: those in settings (read-only) and those stored; check=true also asks each upstream.", CacheRuleAdmin.ListCacheRules) { Response = typeof(Page<CacheRuleView>), Paged = true, Query = [Flag("check", "ask each upstream whether it answers and accepts the rule's credentials")] },
        new("GET", "/cache-rules/{name}", "getCacheRule", "mirror", "One cache rule.", CacheRuleAdmin.GetCacheRule) { Response = typeof(CacheRuleView), Errors = [NotFound] },
        new("PUT", "/cache-rules/{name}", "putCacheRule", "mirror", "Create or replace a stored cache rule (201 when created); in effect everywhere within 60 s.", CacheRuleAdmin.PutCacheRule) { Body = typeof(CacheRuleSpec), Response = typeof(CacheRuleView), MayCreate = true, Errors = [Conflict] },
        new("DELETE", "/cache-rules/{name}", "deleteCacheRule", "mirror", "Remove a stored cache rule; what it cached stays until evicted.", CacheRuleAdmin.DeleteCacheRule) { Status = 204, Errors = [NotFound, Conflict] },

        new("GET", "/event-endpoints", "listEventEndpoints", "events", "List event destinations: webhooks (settings and stored), Event Grid and replication rules.", EventEndpointAdmin.ListEventEndpoints) { Response = typeof(Page<EventEndpointView>), Paged = true },
        new("GET", "/event-endpoints/{name}", "getEventEndpoint", "events", "One event destination.", EventEndpointAdmin.GetEventEndpoint) { Response = typeof(EventEndpointView), Errors = [NotFound] },
        new("PUT", "/event-endpoints/{name}", "putEventEndpoint", "events", "Create or replace a stored webhook (201 when created); in effect everywhere within 60 s.", EventEndpointAdmin.PutEventEndpoint) { Body = typeof(EventEndpointSpec), Response = typeof(EventEndpointView), MayCreate = true, Errors = [Conflict] },
        new("DELETE", "/event-endpoints/{name}", "deleteEventEndpoint", "events", "Remove a stored webhook.", EventEndpointAdmin.DeleteEventEndpoint) { Status = 204, Errors = [NotFound, Conflict] },
        new("GET", "/event-deliveries/failed", "listFailedDeliveries", "events", "Deliveries that ran out of tries (the dead-letter queue).", EventEndpointAdmin.ListFailedDeliveries) { Response = typeof(Page<FailedDeliveryView>), Paged = true },
        new("POST", "/event-deliveries/redeliver", "redeliverEvents", "events", "Move failed deliveries back to the events queue with their tries reset.", EventEndpointAdmin.RedeliverEvents) { Body = typeof(RedeliverRequest), Response = typeof(RedeliverView) },

        new("POST", "/apply", "apply", "apply", "Bring tokens, policies, locks, cache rules and webhooks to what the document describes; dryRun reports without changing.", ApplyAdmin.Apply) { Body = typeof(ApplyDocument), Response = typeof(ApplyReport), Query = [Flag("dryRun", "report what would change; change nothing")] },
    ];

    public static FrozenDictionary<string, AdminOperation> ById { get; } = Operations.ToFrozenDictionary(o => o.Id, StringComparer.Ordinal);
}
