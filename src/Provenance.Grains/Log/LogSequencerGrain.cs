using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Provenance.Core.Storage;

namespace Provenance.Grains.Log;

/// <summary>
/// The log sequencer grain: one activation in the cluster runs sequencing passes (<see cref="LogSequencer"/>) on a grain
/// timer, back to back while entries are pending, otherwise every <see cref="ProvenanceLogOptions.SequencerInterval"/>.
/// Each pass also numbers the secondary index's new rows (<see cref="IIndexSequencer"/>, when storage has one), the
/// other write-side numbering that must run in one place and never on a read.
/// A keep-alive reminder re-activates it on a surviving silo after a failure; a pass cut short by a crash rolls back.
/// </summary>
[GrainType(StorageNames.LogSequencerGrainType)]
internal sealed class LogSequencerGrain(
    LogSequencer sequencer,
    IOptions<ProvenanceLogOptions> options,
    ILogger<LogSequencerGrain> logger,
    IIndexSequencer? indexSequencer = null)
    : Grain, ILogSequencerGrain, IRemindable
{
    private static readonly TimeSpan YieldDelay = TimeSpan.FromMilliseconds(3);

    private IGrainTimer? _timer;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RunSequencer)
        {
            _timer = this.RegisterGrainTimer(PassAsync, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.SequencerInterval) { KeepAlive = true });
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StartAsync()
    {
        if (options.Value.RunSequencer)
        {
            await this.RegisterOrUpdateReminder(StorageNames.KeepAliveReminder, options.Value.KeepAlivePeriod, options.Value.KeepAlivePeriod);
        }
    }

    /// <inheritdoc/>
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task<LogHead> SequencePendingAsync() => sequencer.SequencePendingAsync(CancellationToken.None);

    /// <inheritdoc/>
    public Task<LogHead> GetHeadAsync() => sequencer.Store.GetHeadAsync(CancellationToken.None);

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.SequencerInterval;
        TimeSpan next;
        try
        {
            var result = await sequencer.Store.SequenceAsync(sequencer.BatchSize, cancellationToken);
            var indexed = indexSequencer is null ? 0 : await indexSequencer.NumberPendingAsync(options.Value.IndexBatchSize, cancellationToken);
            // A pass that left work runs again after a short yield, so a barrier (an anchor sealing) is never starved.
            next = (result is not null && (result.Count == sequencer.BatchSize || result.Head.Pending > 0)) || indexed == options.Value.IndexBatchSize
                ? YieldDelay
                : interval;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception exception)
        {
            // Never swallowed silently: logged, and sequencing resumes once the database is back.
            logger.LogError(exception, "Log sequencing pass failed; retrying in {Delay}", options.Value.SequencerErrorDelay);
            next = options.Value.SequencerErrorDelay;
        }

        _timer?.Change(next, interval);
    }
}
