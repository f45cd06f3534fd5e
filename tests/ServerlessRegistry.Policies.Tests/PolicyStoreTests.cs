using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>Rules and locks in Azurite's table service, as every instance reads them.</summary>
public sealed class PolicyStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private Azurite _azurite = null!;
    private RegistryStorage _storage = null!;
    private PolicyStore _store = null!;

    public async Task InitializeAsync()
    {
        (_azurite, _storage) = await AzuriteStorage.CreateAsync();
        _store = new PolicyStore(_storage, new FakeTimeProvider(Now));
    }

    public async Task DisposeAsync() =>
        await ((AzureMetadataStore)_storage.Metadata).DeleteTableAsync(PolicyLayout.Table(_storage.Layout), default);

    [Fact]
    public async Task AnEmptyRegistryHasNoPolicies()
    {
        var set = await _store.LoadAsync(default);

        Assert.True(set.IsEmpty);
    }

    [Fact]
    public async Task RulesOfEveryKindAndLocksReadBackAsWritten()
    {
        var keep = new RetentionKeep(LastPushed: 5, LastPulled: 3, PushedWithin: TimeSpan.FromDays(30), PulledWithin: TimeSpan.FromHours(12),
            Matching: ["v*", "release-*"], NotMatching: ["dev-*"], Always: false);
        await _store.PutAsync(new RetentionRule("team-keep", "team/**", ["**"], keep, TimeSpan.FromDays(7)), default);
        await _store.PutAsync(new ImmutableRule("releases", "release/*", "v*"), default);
        await _store.PutAsync(new QuotaRule("team-quota", "team/*", 10L << 30), default);
        await _store.SetLockAsync(new ItemLock(LockTarget.Parse("team/app:stable"), NoWrite: true, NoDelete: false, Now), default);
        await _store.SetLockAsync(new ItemLock(LockTarget.Parse("team/app"), NoWrite: false, NoDelete: true, Now), default);

        var set = await _store.LoadAsync(default);

        var retention = Assert.Single(set.Retention);
        Assert.Equal(("team-keep", "team/**", TimeSpan.FromDays(7)), (retention.Name, retention.Repositories, retention.UntaggedAfter));
        Assert.Equal(["**"], retention.Tags);
        Assert.Equal((5, 3, TimeSpan.FromDays(30), TimeSpan.FromHours(12), false),
            (retention.Keep.LastPushed, retention.Keep.LastPulled, retention.Keep.PushedWithin, retention.Keep.PulledWithin, retention.Keep.Always));
        Assert.Equal(["v*", "release-*"], retention.Keep.Matching);
        Assert.Equal(["dev-*"], retention.Keep.NotMatching);
        Assert.Equal(new ImmutableRule("releases", "release/*", "v*"), Assert.Single(set.Immutable));
        Assert.Equal(new QuotaRule("team-quota", "team/*", 10L << 30), Assert.Single(set.Quotas));
        Assert.Equal(
            [new ItemLock(new LockTarget("team/app"), false, true, Now), new ItemLock(new LockTarget("team/app", Tag: "stable"), true, false, Now)],
            set.Locks);
    }

    [Fact]
    public async Task RuleRowsHoldCamelCaseJsonWithDurationsAsTyped()
    {
        await _store.PutAsync(new RetentionRule("nightly", "ci/*", ["nightly-*"], new RetentionKeep(PushedWithin: TimeSpan.FromDays(14)), TimeSpan.FromHours(36)), default);

        var row = await _storage.Metadata.GetAsync(PolicyLayout.Table(_storage.Layout), PolicyLayout.RulesPartition, "nightly", default);

        Assert.Equal("retention", row!.GetString("Kind"));
        Assert.Equal("""{"repositories":"ci/*","tags":["nightly-*"],"keep":{"pushedWithin":"14d"},"untaggedAfter":"36h"}""", row.GetString("Json"));
        Assert.Equal(Now, row.GetDateTime("UpdatedAt"));
    }

    [Fact]
    public async Task PuttingARuleAgainReplacesIt()
    {
        await _store.PutAsync(new QuotaRule("q", "team/*", 100), default);
        await _store.PutAsync(new QuotaRule("q", "team/**", 200), default);

        var set = await _store.LoadAsync(default);

        Assert.Equal(new QuotaRule("q", "team/**", 200), Assert.Single(set.Quotas));
    }

    [Fact]
    public async Task ANameHeldByAnotherKindIsRefused()
    {
        await _store.PutAsync(new ImmutableRule("shared-name", "a/*", "v*"), default);

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(new QuotaRule("shared-name", "a/*", 1000), default));

        Assert.Equal("the name 'shared-name' belongs to an immutable rule; remove it first or pick another name.", refused.Message);
        Assert.Empty((await _store.LoadAsync(default)).Quotas);
    }

    [Fact]
    public async Task RemovingSaysWhetherThereWasSomethingToRemove()
    {
        await _store.PutAsync(new ImmutableRule("gone", "a/*", "v*"), default);
        await _store.SetLockAsync(new ItemLock(new LockTarget("a/b"), true, true, Now), default);

        Assert.Equal("immutable", await _store.RemoveAsync("gone", default));
        Assert.Null(await _store.RemoveAsync("gone", default));
        Assert.Null(await _store.RemoveAsync("Not A Name", default));
        Assert.True(await _store.RemoveLockAsync(new LockTarget("a/b"), default));
        Assert.False(await _store.RemoveLockAsync(new LockTarget("a/b"), default));
        Assert.True((await _store.LoadAsync(default)).IsEmpty);
    }

    [Fact]
    public async Task ALockThatBlocksNothingIsRefused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => _store.SetLockAsync(new ItemLock(new LockTarget("a/b"), false, false, Now), default));

    [Fact]
    public async Task AnUnreadableRuleIsNamedSoItCanBeRemoved()
    {
        var row = new TableRow(PolicyLayout.RulesPartition, "broken") { ["Kind"] = "quota", ["Json"] = """{"repositories":"a/*","limitBytes":"lots"}""" };
        await _storage.Metadata.ExecuteAsync(PolicyLayout.Table(_storage.Layout), RowOperation.Upsert(row), default);

        var error = await Assert.ThrowsAsync<FormatException>(() => _store.LoadAsync(default));

        Assert.StartsWith("policy rule 'broken' is unreadable", error.Message);
        Assert.Equal("quota", await _store.RemoveAsync("broken", default));
        Assert.True((await _store.LoadAsync(default)).IsEmpty);
    }

    [Fact]
    public async Task ARuleOfAKindThisVersionDoesNotKnowIsIgnoredYetRemovable()
    {
        await PutRowAsync(new TableRow(PolicyLayout.RulesPartition, "later") { ["Kind"] = "mirror-only", ["Json"] = """{"whatever":1}""" });
        Assert.True((await _store.LoadAsync(default)).IsEmpty);
        Assert.Null(await _store.GetAsync("later", default));

        Assert.Equal("mirror-only", await _store.RemoveAsync("later", default));
        Assert.Null(await _storage.Metadata.GetAsync(PolicyLayout.Table(_storage.Layout), PolicyLayout.RulesPartition, "later", default));
    }

    [Theory]
    [InlineData("retention", """{"repositories":"a/*","tags":["**"],"keep":{"LastPushed":10}}""", "unknown property 'LastPushed'")]
    [InlineData("retention", """{"repositories":"a/*","tags":["**"],"keep":{}}""", "keeps nothing")]
    [InlineData("retention", """{"repositories":"a/*","tags":["**"],"keep":{},"untaggedAfter":"7d"}""", "would delete every tag")]
    [InlineData("retention", """{"repositories":"a/*","tags":["**"],"keep":{"lastPushed":0}}""", "keep-last-pushed must be at least 1")]
    [InlineData("retention", """{"repositories":"a/*","Tags":["**"],"keep":{"always":true}}""", "unknown property 'Tags'")]
    [InlineData("immutable", """{"repositories":"a/*","tags":""}""", "must not be empty")]
    [InlineData("quota", """{"repositories":"a/*","limitBytes":0}""", "needs a limit above zero")]
    [InlineData("quota", """{"repositories":"a/*","limitBytes":10,"LimitBytes":5}""", "unknown property 'LimitBytes'")]
    public async Task HandEditedRulesThatTheStoreWouldRefuseDoNotLoad(string kind, string json, string expected)
    {
        await PutRowAsync(new TableRow(PolicyLayout.RulesPartition, "edited") { ["Kind"] = kind, ["Json"] = json });

        var error = await Assert.ThrowsAsync<FormatException>(() => _store.LoadAsync(default));

        Assert.StartsWith("policy rule 'edited' is unreadable (", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.EndsWith("remove it with 'policy remove edited'.", error.Message);
    }

    [Fact]
    public async Task MoreLocksThanTheBoundFailToLoadRatherThanLoadingSome()
    {
        var table = PolicyLayout.Table(_storage.Layout);
        var rows = Enumerable.Range(0, 10_001).Select(i => LockRow.ToRow(new ItemLock(new LockTarget($"r/{i:x5}"), true, false, Now)));
        await Task.WhenAll(rows.Chunk(100).Select(chunk => _storage.Metadata.ExecuteBatchAsync(table, [.. chunk.Select(RowOperation.Insert)], default)));

        var error = await Assert.ThrowsAsync<FormatException>(() => _store.LoadAsync(default));

        Assert.Contains("holds more than 10000 locks", error.Message);
    }

    [Fact]
    public async Task ALockWhoseTargetNoLongerParsesIsRemovedByItsText()
    {
        var stored = new TableRow(PolicyLayout.LocksPartition, StorageLayout.RepositoryKey("team/app@latest")) { ["Target"] = "team/app@latest", ["NoWrite"] = true };
        var moved = new TableRow(PolicyLayout.LocksPartition, StorageLayout.RepositoryKey("other")) { ["Target"] = "Team/App", ["NoDelete"] = true };
        await PutRowAsync(stored);
        await PutRowAsync(moved);
        Assert.Contains("is unreadable", (await Assert.ThrowsAsync<FormatException>(() => _store.LoadAsync(default))).Message);

        Assert.True(await _store.RemoveLockAsync("team/app@latest", default));
        Assert.True(await _store.RemoveLockAsync("Team/App", default));
        Assert.False(await _store.RemoveLockAsync("Team/App", default));
        Assert.True((await _store.LoadAsync(default)).IsEmpty);
    }

    private async Task PutRowAsync(TableRow row) =>
        await _storage.Metadata.ExecuteAsync(PolicyLayout.Table(_storage.Layout), RowOperation.Upsert(row), default);

    public static TheoryData<object, string> InvalidRules() => new()
    {
        { new QuotaRule("Upper", "a/*", 1), "rule name 'Upper' is not valid" },
        { new QuotaRule("-dash", "a/*", 1), "rule name '-dash' is not valid" },
        { new QuotaRule(new string('a', 64), "a/*", 1), "is not valid" },
        { new QuotaRule("q", "a/*", 0), "needs a limit above zero" },
        { new QuotaRule("q", "a b", 1), "contains white space" },
        { new ImmutableRule("i", "a/*", ""), "must not be empty" },
        { new RetentionRule("r", "a/*", ["**"], new RetentionKeep()), "keeps nothing" },
        { new RetentionRule("r", "a/*", ["**"], new RetentionKeep(), TimeSpan.FromDays(1)), "would delete every tag" },
        { new RetentionRule("r", "a/*", [], new RetentionKeep(LastPushed: 3)), "no tag patterns" },
        { new RetentionRule("r", "a/*", ["**"], new RetentionKeep(LastPushed: 0)), "keep-last-pushed must be at least 1" },
        { new RetentionRule("r", "a/*", ["**"], new RetentionKeep(LastPulled: -1)), "keep-last-pulled must be at least 1" },
        { new RetentionRule("r", "a/*", ["**"], new RetentionKeep(PushedWithin: TimeSpan.Zero)), "keep-pushed-within must be longer than zero" },
        { new RetentionRule("r", "a/*", ["**"], new RetentionKeep(PulledWithin: TimeSpan.Zero)), "keep-pulled-within must be longer than zero" },
        { new RetentionRule("r", "a/*", [], new RetentionKeep(), TimeSpan.Zero), "untagged-after must be longer than zero" },
        { new RetentionRule("r", "a/*", ["**"], new RetentionKeep(Matching: ["x***"])), "'***'" },
    };

    [Theory]
    [MemberData(nameof(InvalidRules))]
    public async Task RulesThatMakeNoSenseAreRefusedInOneLine(object rule, string expected)
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(rule, default));

        Assert.Contains(expected, refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public async Task ARuleForUntaggedManifestsOnlyNeedsNoTagPatterns()
    {
        await _store.PutAsync(new RetentionRule("untagged", "**", [], new RetentionKeep(), TimeSpan.FromDays(7)), default);

        Assert.Empty(Assert.Single((await _store.LoadAsync(default)).Retention).Tags);
    }

    [Theory]
    [InlineData("team/app", "team/app", null, null)]
    [InlineData("team/app:v1.2", "team/app", "v1.2", null)]
    [InlineData("a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "a", null, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void LockTargetsParseAndPrintBack(string text, string repository, string? tag, string? digest)
    {
        var target = LockTarget.Parse(text);

        Assert.Equal(new LockTarget(repository, tag, digest), target);
        Assert.Equal(text, target.ToString());
    }

    [Theory]
    [InlineData("", "repository name")]
    [InlineData("Team/App", "repository name")]
    [InlineData("team/app:", "is not a tag")]
    [InlineData("team/app:.hidden", "is not a tag")]
    [InlineData("team/app:a:b", "is not a tag")]
    [InlineData("team/app@sha256:abc", "is not a digest")]
    [InlineData("team/app@latest", "is not a digest")]
    [InlineData("@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "repository name")]
    public void MalformedLockTargetsAreRefusedInOneLine(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => LockTarget.Parse(text));

        Assert.Contains(expected, error.Message);
    }
}
