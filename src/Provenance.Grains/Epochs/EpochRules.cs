using Provenance.Core.Contracts;

namespace Provenance.Grains.Epochs;

/// <summary>Pure rules of epochs and the anchor: status names, retry backoff, the schedule, DTO mapping.</summary>
internal static class EpochRules
{
    /// <summary>Status: checkpoint signed, no timestamp round finished yet (or no TSA configured).</summary>
    public const string Sealed = "sealed";

    /// <summary>Status: at least one TSA has not granted yet after an attempt; it is retried.</summary>
    public const string TimestampPending = "timestamp-pending";

    /// <summary>Status: every TSA granted.</summary>
    public const string Timestamped = "timestamped";

    public static string StatusOf(EpochState state) =>
        state.Timestamps.Count > 0 && state.Timestamps.All(t => t.State == TimestampState.Granted) ? Timestamped
        : state.Timestamps.Any(t => t.State != TimestampState.Granted && t.Attempts > 0) ? TimestampPending
        : Sealed;

    /// <summary>Wait after the <paramref name="attempts"/>-th failed attempt (≥ 1): base·2^(attempts-1), capped at <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan @base, TimeSpan max)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var ticks = @base.Ticks * (double)(1L << exponent);
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// Whether the schedule wants an epoch: some of <paramref name="logEntries"/> are not in the latest epoch, and
    /// either at least <paramref name="threshold"/> are, or <paramref name="interval"/> elapsed since the latest seal
    /// (or no epoch exists yet). Never true for an empty delta.
    /// </summary>
    public static bool IsDue(long logEntries, long lastTreeSize, DateTimeOffset? lastSealedAt, DateTimeOffset now, TimeSpan? interval, long? threshold)
    {
        var unanchored = logEntries - lastTreeSize;
        if (unanchored <= 0)
        {
            return false;
        }

        return (threshold is { } m && m > 0 && unanchored >= m)
            || (interval is { } i && i > TimeSpan.Zero && (lastSealedAt is null || now - lastSealedAt.Value >= i));
    }

    public static EpochDto ToDto(EpochState state)
    {
        var checkpoint = new CheckpointDto(
            state.LogId, state.Epoch, state.TreeSize, Convert.ToBase64String(state.RootHash),
            state.Epoch > 1 ? state.Epoch - 1 : null,
            state.PreviousRootHash is null ? null : Convert.ToBase64String(state.PreviousRootHash),
            state.SealedAt, state.Text, state.Jws, state.KeyId);
        var stamps = state.Timestamps
            .Select(t => new EpochTimestampDto(t.Tsa, t.State, t.Token is null ? null : Convert.ToBase64String(t.Token), t.GenTime, t.Attempts, t.LastError, t.NextAttemptAt))
            .ToList();
        double? seconds = state.TimestampedAt is { } at ? Math.Max(0, (at - state.SealedAt).TotalSeconds) : null;
        return new EpochDto(state.Epoch, StatusOf(state), checkpoint, stamps, state.TreeSize - state.PreviousTreeSize, seconds);
    }
}
