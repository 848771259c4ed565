using Orleans;
using Orleans.Concurrency;
using Provenance.Grains.Epochs;

namespace Provenance.Grains.Log;

/// <summary>Keys of the single-instance log grains, and shortcuts to get them.</summary>
public static class LogGrainKeys
{
    /// <summary>Key of the one <see cref="ILogSequencerGrain"/>.</summary>
    public const string Sequencer = "log";

    /// <summary>Key of the one <see cref="IAnchorGrain"/>.</summary>
    public const string Anchor = "anchor";

    /// <summary>The log sequencer.</summary>
    public static ILogSequencerGrain GetLogSequencer(this IGrainFactory grains) => grains.GetGrain<ILogSequencerGrain>(Sequencer);

    /// <summary>The anchor (epoch scheduler).</summary>
    public static IAnchorGrain GetAnchor(this IGrainFactory grains) => grains.GetGrain<IAnchorGrain>(Anchor);

    /// <summary>Epoch <paramref name="epoch"/> (numbers start at 1).</summary>
    public static IEpochGrain GetEpoch(this IGrainFactory grains, long epoch) => grains.GetGrain<IEpochGrain>(epoch);
}
