using Microsoft.Extensions.DependencyInjection;
using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Epochs;
using Provenance.Grains.Log;
using Provenance.Grains.Tests.TestSupport;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Grains.Tests.Epochs;

/// <summary>
/// The verify path's snapshot of the latest final epoch: what it keeps, what drops it (a seal here, a write elsewhere,
/// age), and that verifications through <see cref="ILogProofs"/> follow new epochs on one node and across two.
/// </summary>
public sealed class LatestEpochCacheTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Get_FinalEpochOffered_Kept()
    {
        var cache = new LatestEpochCache(new ManualTimeProvider(Start));

        cache.Offer(cache.Version, Epoch(3, TimestampState.Granted));

        Assert.Equal(3, cache.Get()?.Epoch);
    }

    [Fact]
    public void Get_NoTsaConfigured_KeptAsFinal()
    {
        var cache = new LatestEpochCache(new ManualTimeProvider(Start));

        cache.Offer(cache.Version, Epoch(2));

        Assert.Equal(2, cache.Get()?.Epoch);
    }

    [Fact]
    public void Get_EpochStillAwaitingATimestamp_NotKept()
    {
        var cache = new LatestEpochCache(new ManualTimeProvider(Start));

        cache.Offer(cache.Version, Epoch(3, TimestampState.Granted, TimestampState.Pending));

        Assert.Null(cache.Get());
    }

    [Fact]
    public void Get_AfterInvalidate_Dropped()
    {
        var cache = new LatestEpochCache(new ManualTimeProvider(Start));
        cache.Offer(cache.Version, Epoch(3, TimestampState.Granted));

        cache.Invalidate();

        Assert.Null(cache.Get());
    }

    [Fact]
    public void Offer_ReadBeforeAnInvalidate_NotKept()
    {
        var cache = new LatestEpochCache(new ManualTimeProvider(Start));
        var version = cache.Version;

        cache.Invalidate();
        cache.Offer(version, Epoch(3, TimestampState.Granted));

        Assert.Null(cache.Get());
    }

    [Fact]
    public void Offer_OlderEpochThanKept_KeepsTheNewer()
    {
        var cache = new LatestEpochCache(new ManualTimeProvider(Start));
        var version = cache.Version;
        cache.Offer(version, Epoch(4, TimestampState.Granted));

        cache.Offer(version, Epoch(3, TimestampState.Granted));

        Assert.Equal(4, cache.Get()?.Epoch);
    }

    [Fact]
    public void Get_MaxAgePassed_Dropped()
    {
        var time = new ManualTimeProvider(Start);
        var cache = new LatestEpochCache(time, null, TimeSpan.FromSeconds(1));
        cache.Offer(cache.Version, Epoch(3, TimestampState.Granted));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.NotNull(cache.Get());

        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Null(cache.Get());
    }

    [Theory]
    [InlineData(StorageNames.EpochGrainType, StorageNames.EpochState)]
    [InlineData(StorageNames.AnchorGrainType, StorageNames.AnchorState)]
    public void Get_EpochOrAnchorWrittenElsewhere_Dropped(string grainType, string stateName)
    {
        var feed = new ManualFeed();
        using var cache = new LatestEpochCache(new ManualTimeProvider(Start), feed);
        cache.Offer(cache.Version, Epoch(3, TimestampState.Granted));

        feed.Raise(new GrainStateKey(grainType, "4", stateName));

        Assert.Null(cache.Get());
    }

    [Fact]
    public void Get_AssetWrittenElsewhere_Kept()
    {
        var feed = new ManualFeed();
        using var cache = new LatestEpochCache(new ManualTimeProvider(Start), feed);
        cache.Offer(cache.Version, Epoch(3, TimestampState.Granted));

        feed.Raise(new GrainStateKey(StorageNames.AssetGrainType, "a-1", StorageNames.AssetState));

        Assert.Equal(3, cache.Get()?.Epoch);
    }

    [Fact]
    public void Dispose_Unsubscribes()
    {
        var feed = new ManualFeed();
        var cache = new LatestEpochCache(new ManualTimeProvider(Start), feed);

        cache.Dispose();

        Assert.Equal(0, feed.Subscribers);
    }

    [Fact]
    public async Task VerifyAsync_EpochSealedOnThisNode_NextVerificationUsesIt()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        await using var node = await StartAsync(database, "latest-one", new InMemoryKeyStore(), new TestTsas());
        await LogAppends.AppendAsync(node.Services.GetStorage(), "l1", 0, 3);
        await node.Anchor.TriggerAsync();
        Assert.Equal(1, (await VerifyAsync(node, "l1", 0)).Epoch?.Epoch);

        await LogAppends.AppendAsync(node.Services.GetStorage(), "l1", 3, 5);
        await node.Anchor.TriggerAsync();
        var again = await VerifyAsync(node, "l1", 0);

        Assert.Equal(2, again.Epoch?.Epoch);
        Assert.All(again.Checks, c => Assert.Equal(CheckOutcome.Pass, c.Outcome));
    }

    [Fact]
    public async Task VerifyAsync_EpochSealedOnOtherNode_OldLeafFollowsOnceNotified()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        var keys = new InMemoryKeyStore();
        var tsas = new TestTsas();
        await using var a = await StartAsync(database, "latest-a", keys, tsas);
        await using var b = await a.AddNodeAsync("latest-b");
        await LogAppends.AppendAsync(a.Services.GetStorage(), "l2", 0, 3);
        await a.Anchor.TriggerAsync();
        Assert.Equal(1, (await VerifyAsync(a, "l2", 0)).Epoch?.Epoch);

        await LogAppends.AppendAsync(b.Services.GetStorage(), "l2", 3, 5);
        await b.Anchor.TriggerAsync();
        var oldLeaf = await VerifyAsync(a, "l2", 0);
        for (var wait = 0; oldLeaf.Epoch?.Epoch != 2 && wait < 100; wait++)
        {
            Assert.All(oldLeaf.Checks, c => Assert.Equal(CheckOutcome.Pass, c.Outcome));
            await Task.Delay(100);
            oldLeaf = await VerifyAsync(a, "l2", 0);
        }

        Assert.Equal(2, oldLeaf.Epoch?.Epoch);
        Assert.All(oldLeaf.Checks, c => Assert.Equal(CheckOutcome.Pass, c.Outcome));
    }

    [Fact]
    public async Task VerifyAsync_LeafBeyondTheSnapshot_AsksTheAnchorAtOnce()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        var keys = new InMemoryKeyStore();
        var tsas = new TestTsas();
        await using var a = await StartAsync(database, "latest-c", keys, tsas);
        await using var b = await a.AddNodeAsync("latest-d");
        await LogAppends.AppendAsync(a.Services.GetStorage(), "l3", 0, 3);
        await a.Anchor.TriggerAsync();
        Assert.Equal(1, (await VerifyAsync(a, "l3", 0)).Epoch?.Epoch);

        await LogAppends.AppendAsync(b.Services.GetStorage(), "l3", 3, 5);
        await b.Anchor.TriggerAsync();
        var newLeaf = await VerifyAsync(a, "l3", 4);

        Assert.Equal(2, newLeaf.Epoch?.Epoch);
        Assert.All(newLeaf.Checks, c => Assert.Equal(CheckOutcome.Pass, c.Outcome));
    }

    /// <summary>A node with the built-in TSA whose snapshot never expires by age, so only invalidation can refresh it.</summary>
    private static Task<EpochNode> StartAsync(string database, string name, IKeyStore keys, TestTsas tsas) =>
        EpochNode.StartAsync(database, name, keys, tsas, o => o.Authorities = [TestTsas.BuiltIn("builtin")],
            configure: services => services.AddSingleton(sp => new LatestEpochCache(TimeProvider.System, sp.GetService<IStateChangeFeed>(), TimeSpan.FromHours(1))));

    private static Task<LogVerification> VerifyAsync(EpochNode node, string prefix, long leaf)
    {
        var id = LogAppends.AssetId(prefix, leaf);
        return node.Proofs.VerifyAsync(id, 1, LogAppends.ManifestHash(id), default);
    }

    private static EpochDto Epoch(long number, params TimestampState[] stamps) => new(
        number,
        "sealed",
        new CheckpointDto("log", number, number * 10, Convert.ToBase64String(new byte[32]), null, null, Start, "text", "jws", "kid"),
        [.. stamps.Select((s, i) => new EpochTimestampDto($"tsa-{i}", s, null, null, 1, null, null))],
        10,
        null);

    private sealed class ManualFeed : IStateChangeFeed
    {
        private Action<GrainStateKey>? handlers;

        public event Action<GrainStateKey>? StateChangedElsewhere
        {
            add => handlers += value;
            remove => handlers -= value;
        }

        public int Subscribers => handlers?.GetInvocationList().Length ?? 0;

        public void Raise(GrainStateKey key) => handlers?.Invoke(key);
    }
}
