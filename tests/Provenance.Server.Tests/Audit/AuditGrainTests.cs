using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Provenance.LoadGen;
using Provenance.Server.Audit;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Server.Tests.Audit;

/// <summary>
/// The audit grain on Orleans TestingHost clusters of two silos on PostgreSQL (composed as the server composes one):
/// the reminder schedule, one run at a time across silos, and the schedule surviving a killed silo. Each test starts
/// its own database and cluster, since each needs its own schedule.
/// </summary>
public sealed class AuditGrainTests : IAsyncLifetime
{
    private readonly PostgresFixture _db = new();
    private readonly AuditProbe _probe = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public async Task DisposeAsync()
    {
        _probe.Release();
        await _db.DisposeAsync();
    }

    private Task<ClusterHost> StartClusterAsync(double intervalSeconds) =>
        ClusterHost.StartAsync(_db.ConnectionString, new ClusterHostOptions
        {
            Audit = o => o.IntervalHours = intervalSeconds / 3600,
            Services = s =>
            {
                s.AddSingleton(_probe);
                s.AddSingleton<IAuditCheck, ProbeCheck>();
            },
        });

    [Fact]
    public async Task Reminder_TwoSecondInterval_RunsOnScheduleInTwoSiloClusterWithoutATrigger()
    {
        await using var cluster = await StartClusterAsync(intervalSeconds: 2);

        var runs = await WaitForFinishedRunsAsync(_ => true, 3, TimeSpan.FromSeconds(60));

        await using (var cmd = _db.DataSource.CreateCommand("SELECT count(*), min(period) FROM orleans_reminders WHERE reminder_name = @n"))
        {
            cmd.Parameters.AddWithValue("n", AuditGrain.ScheduleReminder);
            await using var reader = await cmd.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(1L, reader.GetInt64(0));
            Assert.Equal(2000L, reader.GetInt64(1));
        }

        for (var i = 1; i < 3; i++)
        {
            var gap = runs[i].StartedAt - runs[i - 1].StartedAt;
            Assert.True(gap >= TimeSpan.FromSeconds(1.5), $"runs {i - 1} and {i} started {gap} apart; the schedule is every 2 s");
        }

        Assert.Equal(1, _probe.MaxActive);
    }

    [Fact]
    public async Task RunAsync_ConcurrentTriggersFromBothSilos_StartOneRunAndTheGrainStillAnswersWhileItRuns()
    {
        await using var cluster = await StartClusterAsync(intervalSeconds: 0);
        _probe.Hold();

        var tickets = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => cluster.NodeAt(i % 2).Grains.GetAuditGrain().RunAsync()));
        await _probe.WaitForEntriesAsync(1);
        var running = await cluster.NodeAt(1).Grains.GetAuditGrain().GetRunningAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var joined = await cluster.NodeAt(0).Grains.GetAuditGrain().RunAsync().WaitAsync(TimeSpan.FromSeconds(5));

        var started = Assert.Single(tickets, t => t.Started);
        Assert.All(tickets, t => Assert.Equal(started.RunId, t.RunId));
        Assert.Equal(started.RunId, running);
        Assert.Equal(new AuditRunTicket(started.RunId, Started: false), joined);

        _probe.Release();
        await AuditRuns.WaitFinishedAsync(_db.DataSource, started.RunId);
        var next = await cluster.NodeAt(1).Grains.GetAuditGrain().RunAsync();
        Assert.True(next.Started);
        Assert.NotEqual(started.RunId, next.RunId);
        await AuditRuns.WaitFinishedAsync(_db.DataSource, next.RunId);

        var rows = await AuditRuns.ListAsync(_db.DataSource);
        Assert.Equal([started.RunId, next.RunId], rows.Select(r => r.Id));
        Assert.True(rows[1].StartedAt >= rows[0].FinishedAt, "the second run started before the first finished");
        Assert.Equal(2, _probe.Entries.Count);
        Assert.Equal(1, _probe.MaxActive);
        Assert.Null(await cluster.NodeAt(0).Grains.GetAuditGrain().GetRunningAsync());
    }

    [Fact]
    public async Task Reminder_SiloHostingTheAuditKilled_NextScheduledRunHappensOnTheSurvivor()
    {
        await using var cluster = await StartClusterAsync(intervalSeconds: 2);
        var first = (await _probe.WaitForEntriesAsync(1))[0];
        var victim = cluster.Silos.Single(s => s.SiloAddress.ToString() == first.Silo);
        var survivor = cluster.Silos.Single(s => s != victim).SiloAddress.ToString();

        await cluster.Cluster.KillSiloAsync(victim);
        var killedAt = DateTimeOffset.UtcNow;

        var after = await _probe.WaitForAsync(e => e.At > killedAt, TimeSpan.FromSeconds(90));
        Assert.Equal(survivor, after.Silo);
        var runs = await WaitForFinishedRunsAsync(r => r.StartedAt > killedAt, 1, TimeSpan.FromSeconds(60));
        Assert.NotEmpty(runs);
    }

    [Fact]
    public async Task StartScheduleAsync_RestartWithSameSchedule_KeepsTheDueTime_ThenScheduleOff_RemovesTheReminder()
    {
        DateTimeOffset? first, restarted, off;
        await using (await StartClusterAsync(intervalSeconds: 3600))
        {
            first = await ReminderStartAsync();
        }

        await Task.Delay(1100);
        await using (var again = await StartClusterAsync(intervalSeconds: 3600))
        {
            await again.NodeAt(1).Grains.GetAuditGrain().StartScheduleAsync();
            restarted = await ReminderStartAsync();
        }

        await using (await StartClusterAsync(intervalSeconds: 0))
        {
            off = await ReminderStartAsync();
        }

        Assert.NotNull(first);
        Assert.Equal(first, restarted);
        Assert.Null(off);
        Assert.Empty(await AuditRuns.ListAsync(_db.DataSource));
    }

    private async Task<DateTimeOffset?> ReminderStartAsync()
    {
        await using var cmd = _db.DataSource.CreateCommand("SELECT start_time FROM orleans_reminders WHERE reminder_name = @n");
        cmd.Parameters.AddWithValue("n", AuditGrain.ScheduleReminder);
        return await cmd.ExecuteScalarAsync() is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    private async Task<IReadOnlyList<AuditRuns.RunRow>> WaitForFinishedRunsAsync(Func<AuditRuns.RunRow, bool> match, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var finished = (await AuditRuns.ListAsync(_db.DataSource)).Where(r => r.FinishedAt is not null && match(r)).ToList();
            if (finished.Count >= count)
            {
                return finished;
            }

            Assert.True(DateTime.UtcNow < deadline, $"only {finished.Count} of {count} scheduled audit runs finished in {timeout}");
            await Task.Delay(100);
        }
    }
}

/// <summary>What the <see cref="ProbeCheck"/>s of every silo saw: which silo ran which run when, and how many ran at once.</summary>
public sealed class AuditProbe
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _hold = Completed();
    private int _active;
    private int _maxActive;

    /// <summary>Each run's probe check, in the order they began.</summary>
    public ConcurrentQueue<ProbeEntry> Entries { get; } = new();

    /// <summary>Most probe checks that were running at the same time.</summary>
    public int MaxActive => Volatile.Read(ref _maxActive);

    /// <summary>From now on, probe checks wait until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets waiting and later probe checks go on.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _hold.TrySetResult();
        }
    }

    internal async Task EnterAsync(string silo, CancellationToken cancellationToken)
    {
        var active = Interlocked.Increment(ref _active);
        int seen;
        while ((seen = Volatile.Read(ref _maxActive)) < active && Interlocked.CompareExchange(ref _maxActive, active, seen) != seen)
        {
        }

        Entries.Enqueue(new ProbeEntry(silo, DateTimeOffset.UtcNow));
        try
        {
            Task hold;
            lock (_gate)
            {
                hold = _hold.Task;
            }

            await hold.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> probe checks have begun (60 s at most).</summary>
    public async Task<IReadOnlyList<ProbeEntry>> WaitForEntriesAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Entries.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {Entries.Count} of {count} audit runs began");
            await Task.Delay(50);
        }

        return [.. Entries];
    }

    /// <summary>Waits for the first probe entry matching <paramref name="match"/>.</summary>
    public async Task<ProbeEntry> WaitForAsync(Func<ProbeEntry, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Entries.FirstOrDefault(match) is { } entry)
            {
                return entry;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no matching audit run began in {timeout}; seen: {string.Join(", ", Entries)}");
            await Task.Delay(100);
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}

/// <summary>One probe check: the silo it ran on and when it began.</summary>
public sealed record ProbeEntry(string Silo, DateTimeOffset At);

/// <summary>An audit check that reports to the shared <see cref="AuditProbe"/> which silo runs it, and can be held.</summary>
internal sealed class ProbeCheck(AuditProbe probe, ILocalSiloDetails silo) : IAuditCheck
{
    public string Name => "probe";

    public async Task<long> RunAsync(Func<AuditFinding, Task> report, CancellationToken cancellationToken)
    {
        await probe.EnterAsync(silo.SiloAddress.ToString(), cancellationToken);
        return 0;
    }
}
