using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Log;
using Provenance.Grains.Tests.TestSupport;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Grains.Tests.Epochs;

public sealed class EpochTimestampTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task TriggerAsync_TsaNeverAnswers_EpochSealedWithThatTimestampPendingAndRetryScheduled()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        using var silent = new SilentListener();
        var timeout = TimeSpan.FromMilliseconds(300);
        await using var node = await EpochNode.StartAsync(database, "ts-silent", new InMemoryKeyStore(), new TestTsas(), o =>
        {
            o.Authorities = [TestTsas.BuiltIn("good"), TestTsas.Silent("silent", silent, timeout)];
            o.RetryBase = TimeSpan.FromMinutes(10);
            o.RetryMax = TimeSpan.FromHours(1);
        });
        await LogAppends.AppendAsync(node.Services.GetStorage(), "t", 0, 3);

        var result = await node.Anchor.TriggerAsync();

        Assert.True(result.Created);
        Assert.Equal("timestamp-pending", result.EpochInfo.Status);
        var good = Assert.Single(result.EpochInfo.Timestamps, t => t.Tsa == "good");
        var pending = Assert.Single(result.EpochInfo.Timestamps, t => t.Tsa == "silent");
        Assert.Equal(TimestampState.Granted, good.State);
        Assert.Equal(TimestampState.Pending, pending.State);
        Assert.Equal(1, pending.Attempts);
        Assert.Null(pending.TokenBase64);
        Assert.Contains("did not answer", pending.LastError, StringComparison.Ordinal);
        Assert.InRange(pending.NextAttemptAt!.Value - result.EpochInfo.Checkpoint.SealedAt, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
        Assert.True(silent.Accepted >= 1);
        Assert.Equal(1, (await node.Anchor.StatusAsync()).EpochsAwaitingTimestamp);
        Assert.Equal("timestamp-pending", (await node.Grains.GetEpoch(1).GetAsync()).Status);
    }

    [Fact]
    public async Task Reminder_TsaDownAtSealingThenBackAfterNodeRestart_TimestampCompletedOnRetry()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        var keys = new InMemoryKeyStore();
        var tsas = new TestTsas();
        tsas.SetDown("flaky", true);
        void Configure(Grains.Epochs.ProvenanceEpochsOptions o) => o.Authorities = [TestTsas.BuiltIn("flaky")];
        TriggerResultDto sealedEpoch;
        await using (var first = await EpochNode.StartAsync(database, "ts-first", keys, tsas, Configure))
        {
            await LogAppends.AppendAsync(first.Services.GetStorage(), "r", 0, 5);
            sealedEpoch = await first.Anchor.TriggerAsync();
            await Task.Delay(700);
        }

        var failedAttempts = tsas.Requests("flaky");
        tsas.SetDown("flaky", false);
        await using var second = await EpochNode.StartAsync(database, "ts-second", keys, tsas, Configure);

        var epoch = await WaitForStatusAsync(second, 1, "timestamped", TimeSpan.FromSeconds(20));

        Assert.Equal("timestamp-pending", sealedEpoch.EpochInfo.Status);
        Assert.True(failedAttempts >= 2, $"the TSA was retried while down ({failedAttempts} requests)");
        var stamp = Assert.Single(epoch.Timestamps);
        Assert.Equal(TimestampState.Granted, stamp.State);
        Assert.True(stamp.Attempts > failedAttempts - 1);
        Assert.Null(stamp.LastError);
        Assert.NotNull(epoch.SecondsToTimestamp);
        Assert.Equal(0, (await second.Anchor.StatusAsync()).EpochsAwaitingTimestamp);
        var verification = await second.Proofs.VerifyAsync("r-2", 1, LogAppends.ManifestHash("r-2"), default);
        Assert.Equal(CheckOutcome.Pass, Assert.Single(verification.Checks, c => c.Name == "timestamp:flaky").Outcome);
    }

    private static async Task<EpochDto> WaitForStatusAsync(EpochNode node, long epoch, string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var current = await node.Grains.GetEpoch(epoch).GetAsync();
            if (current.Status == status || DateTime.UtcNow > deadline)
            {
                return current;
            }

            await Task.Delay(50);
        }
    }
}
