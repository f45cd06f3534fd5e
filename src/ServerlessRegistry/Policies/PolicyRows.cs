using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Policies;

/// <summary>
/// Table policies, PK "rules", RK {name}: one rule of any kind. Json holds the rule's fields in camelCase, durations as
/// operators type them ("30d", "12h") and sizes in bytes, so the row reads well in Storage Explorer and an operator can
/// mend it by hand.
/// </summary>
internal static class PolicyRuleRow
{
    public const string Retention = "retention";
    public const string Immutable = "immutable";
    public const string Quota = "quota";
    private const string KindProperty = "Kind";
    private const string JsonProperty = "Json";
    private const string UpdatedAtProperty = "UpdatedAt";

    public static string KindOf(object rule) => rule switch
    {
        RetentionRule => Retention,
        ImmutableRule => Immutable,
        QuotaRule => Quota,
        _ => throw new ArgumentException($"{rule.GetType().Name} is not a policy rule."),
    };

    public static string NameOf(object rule) => rule switch
    {
        RetentionRule r => r.Name,
        ImmutableRule r => r.Name,
        QuotaRule r => r.Name,
        _ => throw new ArgumentException($"{rule.GetType().Name} is not a policy rule."),
    };

    public static string? Kind(TableRow row) => row.GetString(KindProperty);

    public static TableRow ToRow(object rule, DateTimeOffset updatedAt)
    {
        var json = rule switch
        {
            RetentionRule r => new JsonObject
            {
                ["repositories"] = r.Repositories,
                ["tags"] = Array(r.Tags),
                ["keep"] = Keep(r.Keep),
                ["untaggedAfter"] = r.UntaggedAfter is { } u ? Durations.Format(u) : null,
            },
            ImmutableRule r => new JsonObject { ["repositories"] = r.Repositories, ["tags"] = r.Tags },
            QuotaRule r => new JsonObject { ["repositories"] = r.Repositories, ["limitBytes"] = r.LimitBytes },
            _ => throw new ArgumentException($"{rule.GetType().Name} is not a policy rule."),
        };
        RemoveNulls(json);
        return new TableRow(PolicyLayout.RulesPartition, NameOf(rule))
        {
            [KindProperty] = KindOf(rule),
            [JsonProperty] = json.ToJsonString(),
            [UpdatedAtProperty] = updatedAt,
        };
    }

    /// <summary>
    /// The rule a row holds; null for a kind this version does not know (written by a newer one). A row of a known kind
    /// that does not parse, names a property the kind does not have (a miscased key would otherwise read as absent), or
    /// holds a rule <see cref="PolicyStore.Check"/> refuses throws <see cref="FormatException"/> naming the rule: ignoring
    /// it could drop an immutable rule, and applying it could make a retention rule without criteria delete every tag.
    /// </summary>
    public static object? FromRow(TableRow row)
    {
        var name = row.RowKey;
        var kind = Kind(row);
        if (kind is not (Retention or Immutable or Quota))
        {
            return null;
        }

        try
        {
            var json = JsonNode.Parse(row.GetString(JsonProperty) ?? "{}")?.AsObject() ?? [];
            OnlyKnown(json, kind switch { Retention => RetentionFields, Immutable => ImmutableFields, _ => QuotaFields });
            var repositories = Text(json, "repositories") ?? throw new FormatException("no repositories");
            object rule = kind switch
            {
                Retention => new RetentionRule(name, repositories, Strings(json["tags"]), ReadKeep(json["keep"]?.AsObject() ?? []), Duration(json, "untaggedAfter")),
                Immutable => new ImmutableRule(name, repositories, Text(json, "tags") ?? throw new FormatException("no tags")),
                _ => new QuotaRule(name, repositories, json["limitBytes"]?.GetValue<long>() ?? throw new FormatException("no limitBytes")),
            };
            return PolicyStore.Check(rule) is { } problem ? throw new FormatException(problem) : rule;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"policy rule '{name}' is unreadable ({e.Message.Split('\n')[0].Trim()}); fix its row or remove it with 'policy remove {name}'.", e);
        }
    }

    private static readonly string[] RetentionFields = ["repositories", "tags", "keep", "untaggedAfter"];
    private static readonly string[] ImmutableFields = ["repositories", "tags"];
    private static readonly string[] QuotaFields = ["repositories", "limitBytes"];
    private static readonly string[] KeepFields = ["lastPushed", "lastPulled", "pushedWithin", "pulledWithin", "matching", "notMatching", "always"];

    /// <summary>Refuses a property the rule does not have: keys are case-sensitive, so "LastPushed" is not "lastPushed".</summary>
    private static void OnlyKnown(JsonObject json, string[] fields)
    {
        if (json.Select(p => p.Key).FirstOrDefault(k => !fields.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw new FormatException($"unknown property '{unknown}'; the properties are {string.Join(", ", fields)}");
        }
    }

    private static JsonObject Keep(RetentionKeep keep) => new()
    {
        ["lastPushed"] = keep.LastPushed,
        ["lastPulled"] = keep.LastPulled,
        ["pushedWithin"] = keep.PushedWithin is { } p ? Durations.Format(p) : null,
        ["pulledWithin"] = keep.PulledWithin is { } q ? Durations.Format(q) : null,
        ["matching"] = keep.Matching.Count > 0 ? Array(keep.Matching) : null,
        ["notMatching"] = keep.NotMatching.Count > 0 ? Array(keep.NotMatching) : null,
        ["always"] = keep.Always ? true : null,
    };

    private static RetentionKeep ReadKeep(JsonObject keep)
    {
        OnlyKnown(keep, KeepFields);
        return new(
            keep["lastPushed"]?.GetValue<int>(), keep["lastPulled"]?.GetValue<int>(), Duration(keep, "pushedWithin"), Duration(keep, "pulledWithin"),
            Strings(keep["matching"]), Strings(keep["notMatching"]), keep["always"]?.GetValue<bool>() ?? false);
    }

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static string[] Strings(JsonNode? node) => node is JsonArray array ? [.. array.Select(v => v?.GetValue<string>() ?? throw new FormatException("a null pattern"))] : [];

    private static string? Text(JsonObject json, string name) => json[name]?.GetValue<string>();

    private static TimeSpan? Duration(JsonObject json, string name) =>
        Text(json, name) is not { } text ? null
        : Durations.TryParse(text, out var duration) ? duration
        : throw new FormatException($"{name} '{text}' is not a duration");

    private static void RemoveNulls(JsonObject json)
    {
        foreach (var (key, value) in json.ToList())
        {
            if (value is null)
            {
                json.Remove(key);
            }
            else if (value is JsonObject inner)
            {
                RemoveNulls(inner);
            }
        }
    }
}

/// <summary>Table policies, PK "locks", RK hex(target): one lock.</summary>
internal static class LockRow
{
    public const string TargetProperty = "Target";
    private const string NoWriteProperty = "NoWrite";
    private const string NoDeleteProperty = "NoDelete";
    private const string CreatedAtProperty = "CreatedAt";

    public static TableRow ToRow(ItemLock itemLock) => new(PolicyLayout.LocksPartition, PolicyLayout.LockKey(itemLock.Target))
    {
        [TargetProperty] = itemLock.Target.ToString(),
        [NoWriteProperty] = itemLock.NoWrite,
        [NoDeleteProperty] = itemLock.NoDelete,
        [CreatedAtProperty] = itemLock.CreatedAt,
    };

    /// <summary>The lock a row holds; a target that no longer parses throws <see cref="FormatException"/> naming it.</summary>
    public static ItemLock FromRow(TableRow row)
    {
        var target = row.GetString(TargetProperty) ?? StorageLayout.RepositoryFromKey(row.RowKey);
        try
        {
            return new ItemLock(LockTarget.Parse(target), row[NoWriteProperty] is true, row[NoDeleteProperty] is true, row.GetDateTime(CreatedAtProperty) ?? DateTimeOffset.MinValue);
        }
        catch (FormatException e)
        {
            throw new FormatException($"lock '{target}' is unreadable ({e.Message}); remove it with 'policy unlock {target}'.", e);
        }
    }
}
