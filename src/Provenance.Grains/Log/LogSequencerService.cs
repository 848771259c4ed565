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

    private static readonly TimeSpan YieldDelay = TimeSpan.FromMilliseconds(3);

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
                // After a pass that sequenced something and left work, yield a moment instead of retrying at once: the
                // lock is try-only, so without a gap another node's barrier (an anchor sealing there) could starve.
                pause = result is not null && (result.Count == sequencer.BatchSize || result.Head.Pending > 0) ? YieldDelay : interval;
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
