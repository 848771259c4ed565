using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;
using Provenance.Server.Hosting;

namespace Provenance.Server.Audit;

/// <summary>
/// The deployment's audit job (key <see cref="AuditGrain.Key"/>; <see cref="AuditGrainKeys.GetAuditGrain"/>). Orleans
/// keeps one activation in the cluster, so one run at a time needs no lock. Internal to the server, not in
/// Provenance.Grains.Abstractions: the audit is an operator function behind the <c>admin</c> scope of
/// <c>POST /v1/audit/run</c>, and these methods take no <c>CallerContext</c>, so a cluster client must not reach them.
/// </summary>
internal interface IAuditGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts a run now and returns its id once its <c>audit_runs</c> row exists, without waiting for the checks (a run
    /// can outlast any grain call timeout). When a run is already in progress no second one starts: the answer is that
    /// run's id with <see cref="AuditRunTicket.Started"/> false.
    /// </summary>
    Task<AuditRunTicket> RunAsync();

    /// <summary>
    /// Aligns the <see cref="AuditGrain.ScheduleReminder"/> reminder with <c>Provenance:Audit</c> (registered, moved or
    /// removed). Called by a start-up task on every silo; idempotent, and an unchanged schedule keeps its next due time.
    /// </summary>
    /// <exception cref="InvalidOperationException">The settings are invalid (<see cref="AuditSchedule.NextDelay"/>).</exception>
    Task StartScheduleAsync();

    /// <summary>The id of the run in progress, or <see langword="null"/> when none is.</summary>
    Task<string?> GetRunningAsync();
}

/// <summary>The answer to <see cref="IAuditGrain.RunAsync"/>.</summary>
/// <param name="RunId">The run started, or the run already in progress.</param>
/// <param name="Started">Whether this call started it.</param>
[GenerateSerializer, Immutable, Alias("provenance.AuditRunTicket")]
internal sealed record AuditRunTicket([property: Id(0)] string RunId, [property: Id(1)] bool Started);

/// <summary>Grain references of the audit.</summary>
internal static class AuditGrainKeys
{
    /// <summary>The one audit grain of the deployment.</summary>
    public static IAuditGrain GetAuditGrain(this IGrainFactory grains) => grains.GetGrain<IAuditGrain>(AuditGrain.Key);
}

/// <summary>
/// Runs <see cref="AuditRunner"/> on its reminder (<see cref="AuditSchedule"/>) or on request. The checks run on the
/// thread pool, not on this activation's scheduler, so the grain answers its other calls while a run of hours goes on;
/// the grain keeps itself active until the run ends. Not reentrant: a start is decided and recorded in one turn, so two
/// concurrent triggers (from any silos) start one run. A run interrupted by a silo failure keeps its <c>audit_runs</c>
/// row without <c>finished_at</c>; the reminder, served by a surviving silo, starts the next one.
/// </summary>
[GrainType(AuditGrain.GrainTypeName)]
internal sealed class AuditGrain(
    [PersistentState(AuditGrain.StateName, Grains.StorageNames.MetadataStorage)] IPersistentState<AuditState> state,
    AuditRunner runner,
    IOptions<AuditSettings> options,
    TimeProvider time,
    ILogger<AuditGrain> logger) : Grain, IAuditGrain, IRemindable
{
    /// <summary>Grain type name.</summary>
    public const string GrainTypeName = "audit";

    /// <summary>State name in the <c>metadata</c> storage.</summary>
    public const string StateName = "audit";

    /// <summary>The one key: the audit is deployment-wide.</summary>
    public const string Key = "deployment";

    /// <summary>The reminder that starts scheduled runs.</summary>
    public const string ScheduleReminder = "audit-schedule";

    // Below the silo's grain collection age (2 min), so an activation with a run in progress is never collected as idle.
    private static readonly TimeSpan KeepAlivePeriod = TimeSpan.FromSeconds(30);

    private Run? _run;

    /// <summary>The run in progress: its id, how to stop it, the timer that keeps the activation alive, its completion.</summary>
    private sealed class Run(string id, IGrainTimer keepAlive)
    {
        public string Id { get; } = id;

        public CancellationTokenSource Cancel { get; } = new();

        public IGrainTimer KeepAlive { get; } = keepAlive;

        public Task Completion { get; set; } = Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<AuditRunTicket> RunAsync()
    {
        if (_run is { } running)
        {
            return new AuditRunTicket(running.Id, Started: false);
        }

        return new AuditRunTicket(await StartRunAsync(), Started: true);
    }

    /// <inheritdoc/>
    public Task<string?> GetRunningAsync() => Task.FromResult(_run?.Id);

    /// <inheritdoc/>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ScheduleReminder)
        {
            return;
        }

        if (_run is { } running)
        {
            logger.LogInformation("Scheduled audit not started: run {Run} is still in progress", running.Id);
            return;
        }

        var id = await StartRunAsync();
        logger.LogInformation("Scheduled audit {Run} started", id);
    }

    /// <inheritdoc/>
    public async Task StartScheduleAsync()
    {
        var settings = options.Value;
        var schedule = AuditSchedule.From(settings);
        var reminder = await this.GetReminder(ScheduleReminder);
        if (schedule is null)
        {
            if (reminder is not null)
            {
                await this.UnregisterReminder(reminder);
                logger.LogInformation("Audit schedule removed; audits run only on request");
            }
        }
        else if (reminder is null || state.State.Schedule != schedule.Key)
        {
            var due = AuditSchedule.NextDelay(settings, time.GetUtcNow())!.Value;
            await this.RegisterOrUpdateReminder(ScheduleReminder, due, schedule.Period);
            logger.LogInformation("Audit scheduled {Schedule}; next run in {Due}", schedule.Key, due);
        }

        // Another activation (a second silo starting at the same moment, in a failover window) may have written the
        // same record: a version conflict is not a start-up failure. Re-read and write again until the stored schedule
        // is this one; the reminder above is keyed by name, so registering it twice is harmless.
        for (var attempt = 1; state.State.Schedule != schedule?.Key; attempt++)
        {
            try
            {
                state.State = state.State with { Schedule = schedule?.Key };
                await state.WriteStateAsync();
            }
            catch (InconsistentStateException) when (attempt < 5)
            {
                await state.ReadStateAsync();
            }
        }
    }

    /// <inheritdoc/>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_run is { } running)
        {
            logger.LogWarning("Audit {Run} is stopped by a deactivation ({Reason}); the next scheduled run audits again", running.Id, reason);
            await running.Cancel.CancelAsync();
            try
            {
                await running.Completion.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Audit {Run} did not stop before the deactivation deadline", running.Id);
            }
        }
    }

    /// <summary>Records a new run and starts its checks; called only when no run is in progress.</summary>
    private async Task<string> StartRunAsync()
    {
        var id = runner.NewRunId();
        await runner.StartAsync(id, CancellationToken.None);
        var keepAlive = this.RegisterGrainTimer(static _ => Task.CompletedTask, new GrainTimerCreationOptions(KeepAlivePeriod, KeepAlivePeriod)
        {
            Interleave = true,
            KeepAlive = true,
        });
        var run = new Run(id, keepAlive);
        _run = run;
        run.Completion = CompleteAsync(run);
        return id;
    }

    private async Task CompleteAsync(Run run)
    {
        try
        {
            // Off the activation's scheduler: the checks are long and CPU-heavy (hashing the whole log), and they call
            // other grains (assets, anchor), which is fine from the thread pool.
            await Task.Run(() => runner.RunChecksAsync(run.Id, run.Cancel.Token), CancellationToken.None);
        }
        catch (OperationCanceledException) when (run.Cancel.IsCancellationRequested)
        {
            logger.LogWarning("Audit {Run} cancelled", run.Id);
        }
        catch (Exception exception)
        {
            // A failed run is over: it is logged with its id, its row keeps no finished_at, and the next trigger or
            // scheduled tick starts a new one.
            logger.LogError(exception, "Audit {Run} failed", run.Id);
        }
        finally
        {
            run.KeepAlive.Dispose();
            run.Cancel.Dispose();
            if (ReferenceEquals(_run, run))
            {
                _run = null;
            }
        }
    }
}

/// <summary>Stored state of the audit grain (JSON in the <c>metadata</c> storage). Immutable: replaced as a whole.</summary>
internal sealed record AuditState
{
    /// <summary>The <see cref="AuditSchedule.Key"/> the reminder was registered for, or null when none is.</summary>
    public string? Schedule { get; init; }
}
