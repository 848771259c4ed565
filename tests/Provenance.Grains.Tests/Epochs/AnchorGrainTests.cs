using System.Collections.Concurrent;
using System.Text;
using Provenance.Core;
using Provenance.Core.Contracts;
using Provenance.Core.Epochs;
using Provenance.Core.Merkle;
using Provenance.Core.Signing;
using Provenance.Grains.Log;
using Provenance.Grains.Tests.TestSupport;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Grains.Tests.Epochs;

public sealed class AnchorGrainTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task TriggerAsync_NewEntries_SealsSignedTimestampedEpochOverWholeLog()
    {
        var keys = new InMemoryKeyStore();
        await using var node = await StartAsync("anchor-first", keys, log: o => o.RunSequencer = false);
        await LogAppends.AppendAsync(node.Services.GetStorage(), "a", 0, 13);

        var result = await node.Anchor.TriggerAsync();

        Assert.True(result.Created);
        Assert.Equal(1, result.Epoch);
        var checkpoint = result.EpochInfo.Checkpoint;
        Assert.Equal(13, checkpoint.TreeSize);
        Assert.Equal(13, result.EpochInfo.Entries);
        Assert.Null(checkpoint.PreviousEpoch);
        Assert.Equal(Convert.ToBase64String(await LogAppends.RecomputeRootAsync(node.Log, 13)), checkpoint.RootHash);
        Assert.Equal("timestamped", result.EpochInfo.Status);
        Assert.Equal(TimestampState.Granted, Assert.Single(result.EpochInfo.Timestamps).State);
        var verified = Es256Jws.Verify(checkpoint.Jws, await KeyRing.LoadAsync(keys));
        Assert.Equal(Encoding.UTF8.GetBytes(checkpoint.Text), verified.Payload.ToArray());
        Assert.Equal(Labels.CheckpointJwsType, verified.Type);
        Assert.Equal(checkpoint.KeyId, verified.Kid);
        var parsed = Checkpoint.Parse(checkpoint.Text);
        Assert.Equal(("provenance.dev/log/test-log", 13L, 1L), (parsed.Origin, parsed.TreeSize, parsed.Epoch));
        Assert.Equal(checkpoint.SealedAt, parsed.SealedAt);
    }

    [Fact]
    public async Task TriggerAsync_CheckpointSignedWithOtherKey_DoesNotVerify()
    {
        await using var node = await StartAsync("anchor-otherkey", new InMemoryKeyStore());
        await LogAppends.AppendAsync(node.Services.GetStorage(), "o", 0, 2);

        var result = await node.Anchor.TriggerAsync();

        var otherRing = KeyRing.Empty.Add(SigningKey.Generate(), KeyStatus.Active);
        Assert.Throws<UnknownKeyException>(() => Es256Jws.Verify(result.EpochInfo.Checkpoint.Jws, otherRing));
        var ring = node.Services.GetService(typeof(ILogSigner)) is ILogSigner signer ? signer.KeyRing : throw new InvalidOperationException();
        var parts = result.EpochInfo.Checkpoint.Jws.Split('.');
        var tamperedText = result.EpochInfo.Checkpoint.Text.Replace("epoch 1", "epoch 2", StringComparison.Ordinal);
        var forged = parts[0] + "." + Base64UrlNoPad(Encoding.UTF8.GetBytes(tamperedText)) + "." + parts[2];
        Assert.Throws<SignatureInvalidException>(() => Es256Jws.Verify(forged, ring));
    }

    [Fact]
    public async Task TriggerAsync_NothingLoggedSinceLastEpoch_SealsEmptyDeltaEpochLinkedToPrevious()
    {
        await using var node = await StartAsync("anchor-empty", new InMemoryKeyStore());
        await LogAppends.AppendAsync(node.Services.GetStorage(), "e", 0, 4);
        var first = await node.Anchor.TriggerAsync();

        var second = await node.Anchor.TriggerAsync();

        Assert.True(second.Created);
        Assert.Equal(2, second.Epoch);
        Assert.Equal(0, second.EpochInfo.Entries);
        Assert.Equal(first.EpochInfo.Checkpoint.TreeSize, second.EpochInfo.Checkpoint.TreeSize);
        Assert.Equal(first.EpochInfo.Checkpoint.RootHash, second.EpochInfo.Checkpoint.PreviousRootHash);
        Assert.Equal(1, second.EpochInfo.Checkpoint.PreviousEpoch);
        Assert.Contains($"previous 1 {first.EpochInfo.Checkpoint.RootHash}\n", second.EpochInfo.Checkpoint.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyScheduleAsync_ThresholdReached_SealsOnceAndNeverAnEmptyEpoch()
    {
        await using var node = await StartAsync("anchor-schedule", new InMemoryKeyStore(), epochs: o => { o.PendingThreshold = 10; o.RunScheduler = false; });
        var storage = node.Services.GetStorage();
        await LogAppends.AppendAsync(storage, "s", 0, 9);
        var belowThreshold = await node.Anchor.ApplyScheduleAsync();
        await LogAppends.AppendAsync(storage, "s", 9, 12);

        var due = await node.Anchor.ApplyScheduleAsync();
        var again = await node.Anchor.ApplyScheduleAsync();

        Assert.Null(belowThreshold);
        Assert.NotNull(due);
        Assert.Equal((1L, 12L), (due.Epoch, due.EpochInfo.Checkpoint.TreeSize));
        Assert.Null(again);
        var status = await node.Anchor.StatusAsync();
        Assert.Equal((12L, 0L, 1L), (status.LogSize, status.PendingEntries, status.LastEpoch!.Value));
        Assert.Equal(0, status.EpochsAwaitingTimestamp);
    }

    [Fact]
    public async Task Scheduler_IntervalElapsedWithNewEntries_SealsOnItsOwnAndNotWhenIdle()
    {
        await using var node = await StartAsync("anchor-clock", new InMemoryKeyStore(), epochs: o =>
        {
            o.Interval = TimeSpan.FromMilliseconds(300);
            o.SchedulePollInterval = TimeSpan.FromMilliseconds(50);
        });
        await LogAppends.AppendAsync(node.Services.GetStorage(), "c", 0, 6);

        var sealedOnSchedule = await WaitForEpochAsync(node, 1, TimeSpan.FromSeconds(15));
        await Task.Delay(1000);
        var afterIdle = await node.Anchor.StatusAsync();

        Assert.NotNull(sealedOnSchedule);
        Assert.Equal(6, sealedOnSchedule.Checkpoint.TreeSize);
        Assert.Equal(1, afterIdle.LastEpoch);
        Assert.Equal(0, afterIdle.PendingEntries);
        Assert.NotNull(afterIdle.NextScheduledAt);
    }

    [Fact]
    public async Task TriggerAsync_StormOfFiftyFromTwoNodesWithAppends_ConsecutiveEpochsCoverEveryAcknowledgedLeafOnce()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        var keys = new InMemoryKeyStore();
        var tsas = new TestTsas();
        await using var one = await EpochNode.StartAsync(database, "storm-1", keys, tsas, ConfigureTsa, ConfigureLog);
        await using var two = await one.AddNodeAsync("storm-2");
        var storage = one.Services.GetStorage();
        long acknowledged = 0;
        using var stop = new CancellationTokenSource();
        var appending = Task.Run(async () =>
        {
            for (var b = 0; !stop.IsCancellationRequested; b++)
            {
                await LogAppends.AppendAsync(storage, "storm", b * 10, (b + 1) * 10);
                Interlocked.Add(ref acknowledged, 10);
            }
        });
        var results = new ConcurrentBag<(long AckedBefore, TriggerResultDto Result)>();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            await Task.Delay(i * 7);
            var ackedBefore = Interlocked.Read(ref acknowledged);
            var node = i % 2 == 0 ? one : two;
            results.Add((ackedBefore, await node.Anchor.TriggerAsync()));
        })));
        await stop.CancelAsync();
        await appending;
        var final = await one.Anchor.TriggerAsync();
        var epochs = (await two.Anchor.ListEpochsAsync(1000, null)).Reverse().ToList();

        Assert.Equal(Enumerable.Range(1, epochs.Count).Select(n => (long)n), epochs.Select(e => e.Epoch));
        Assert.Equal(final.Epoch, epochs[^1].Epoch);
        Assert.Equal(Interlocked.Read(ref acknowledged), epochs[^1].Checkpoint.TreeSize);
        Assert.Equal(epochs.Count - 1, results.Count(r => r.Result.Created));
        Assert.Contains(results, r => !r.Result.Created);
        Assert.All(results.GroupBy(r => r.Result.Epoch), g => Assert.True(g.Count(r => r.Result.Created) <= 1));
        Assert.All(results, r => Assert.True(r.Result.EpochInfo.Checkpoint.TreeSize >= r.AckedBefore,
            $"epoch {r.Result.Epoch} covers {r.Result.EpochInfo.Checkpoint.TreeSize} leaves, {r.AckedBefore} were acknowledged before its trigger"));
        for (var i = 1; i < epochs.Count; i++)
        {
            Assert.True(epochs[i].Checkpoint.TreeSize >= epochs[i - 1].Checkpoint.TreeSize);
            Assert.Equal(epochs[i - 1].Checkpoint.RootHash, epochs[i].Checkpoint.PreviousRootHash);
            if (epochs[i - 1].Checkpoint.TreeSize > 0)
            {
                var proof = await one.Proofs.GetConsistencyProofAsync(epochs[i - 1].Epoch, epochs[i].Epoch, default);
                MerkleVerifier.VerifyConsistency(Sha256MerkleHasher.Instance, proof.Size1, proof.Size2, [.. proof.Proof.Select(Convert.FromBase64String)],
                    Convert.FromBase64String(proof.Root1), Convert.FromBase64String(proof.Root2));
            }
        }

        var size = epochs[^1].Checkpoint.TreeSize;
        Assert.Equal(Convert.ToBase64String(await LogAppends.RecomputeRootAsync(one.Log, size)), epochs[^1].Checkpoint.RootHash);
        var inputs = await one.Log.ReadLeafInputsAsync(0, size, default);
        Assert.Equal(size, inputs.Select(Convert.ToHexString).Distinct().Count());
        Assert.Equal(
            Enumerable.Range(0, (int)size).Select(i => Convert.ToHexString(LogAppends.ManifestHash(LogAppends.AssetId("storm", i)))).Order(),
            inputs.Select(Convert.ToHexString).Order());

        static void ConfigureTsa(Grains.Epochs.ProvenanceEpochsOptions o) => o.Authorities = [TestTsas.BuiltIn("storm-tsa")];
        static void ConfigureLog(ProvenanceLogOptions o) => o.LogId = "test-log";
    }

    private async Task<EpochNode> StartAsync(string name, IKeyStore keys, Action<Grains.Epochs.ProvenanceEpochsOptions>? epochs = null, Action<ProvenanceLogOptions>? log = null)
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        return await EpochNode.StartAsync(database, name, keys, new TestTsas(), o =>
        {
            o.Authorities = [TestTsas.BuiltIn("builtin")];
            epochs?.Invoke(o);
        }, o =>
        {
            o.LogId = "test-log";
            log?.Invoke(o);
        });
    }

    private static async Task<EpochDto?> WaitForEpochAsync(EpochNode node, long epoch, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await node.Grains.GetEpoch(epoch).FindAsync() is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        return null;
    }

    private static string Base64UrlNoPad(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
