using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Provenance.Actors;
using Provenance.Grains.Log;

namespace Provenance.Grains.Epochs;

/// <summary>
/// Every node's schedule loop: asks the anchor every <see cref="ProvenanceEpochsOptions.SchedulePollInterval"/> whether
/// an epoch is due (<see cref="IAnchorGrain.ApplyScheduleAsync"/>). The anchor re-checks under the seal lock, so several
/// nodes polling together seal once.
/// </summary>
internal sealed class AnchorScheduler(IGrainFactory grains, IOptions<ProvenanceEpochsOptions> options, TimeProvider time, ILoggerFactory? loggers = null)
    : BackgroundService
{
    private readonly ILogger logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<AnchorScheduler>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.RunScheduler || (settings.Interval is null && settings.PendingThreshold is null))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(settings.SchedulePollInterval, time, stoppingToken).ConfigureAwait(false);
                if (await grains.GetAnchor().ApplyScheduleAsync().ConfigureAwait(false) is { } sealedEpoch)
                {
                    logger.LogInformation("Sealed epoch {Epoch} over {TreeSize} entries on schedule", sealedEpoch.Epoch, sealedEpoch.EpochInfo.Checkpoint.TreeSize);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Scheduled epoch check failed; trying again at the next poll");
            }
        }
    }
}
