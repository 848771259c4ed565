namespace Provenance.Timestamping.Tests.TestSupport;

/// <summary>A clock the test sets; timers still run on real time.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
