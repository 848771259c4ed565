using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Provenance.Grains.Log;

/// <summary>
/// Every node's background sequencing loop: passes back to back while entries are pending, otherwise a pause of
/// <see cref="ProvenanceLogOptions.SequencerInterval"/>. Only the node holding the store's advisory lock sequences; the
/// others' passes return at once, so a node that dies (even mid-pass: its transaction rolls back) is replaced within one
/// interval by whichever node takes the lock next.
/// </summary>
internal sealed class LogSequencerService(LogSequencer sequencer, IOptions<ProvenanceLogOptions> options, TimeProvider time, ILoggerFactory? loggers = null)
    : BackgroundService
{
    private readonly ILogger logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<LogSequencerService>();

    /// <summary>Passes that sequenced at least one entry (diagnostics and tests).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    private long _passes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunSequencer)
        {
            return;
        }

        var interval = options.Value.SequencerInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                var result = await sequencer.Store.SequenceAsync(sequencer.BatchSize, stoppingToken).ConfigureAwait(false);
                if (result is { Count: > 0 })
                {
                    Interlocked.Increment(ref _passes);
                }

                pause = result is not null && (result.Count == sequencer.BatchSize || result.Head.Pending > 0) ? TimeSpan.Zero : interval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // Never swallowed silently: logged, and the loop keeps the node sequencing once the database is back.
                logger.LogError(exception, "Log sequencing pass failed; retrying in {Delay}", options.Value.SequencerErrorDelay);
                pause = options.Value.SequencerErrorDelay;
            }

            if (pause > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
