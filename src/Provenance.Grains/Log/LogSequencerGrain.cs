using Provenance.Actors;
using Provenance.Core.Storage;

namespace Provenance.Grains.Log;

/// <summary>The log sequencer grain: a thin door onto <see cref="LogSequencer"/>; stateless, so any node may host it.</summary>
[GrainType(StorageNames.LogSequencerGrainType)]
internal sealed class LogSequencerGrain(LogSequencer sequencer) : Grain, ILogSequencerGrain
{
    /// <inheritdoc/>
    public Task<LogHead> SequencePendingAsync() => sequencer.SequencePendingAsync(CancellationToken.None);

    /// <inheritdoc/>
    public Task<LogHead> GetHeadAsync() => sequencer.Store.GetHeadAsync(CancellationToken.None);
}
