using Provenance.Grains.Assets;

namespace Provenance.Grains.Tests.TestSupport;

/// <summary>Deterministic "random" bytes: each fill is the next counter value, big-endian, zero-padded.</summary>
internal sealed class CountingRandomSource : IRandomSource
{
    private long _counter;

    public void Fill(Span<byte> buffer)
    {
        buffer.Clear();
        var value = Interlocked.Increment(ref _counter);
        for (var i = buffer.Length - 1; i >= 0 && value != 0; i--, value >>= 8)
        {
            buffer[i] = (byte)value;
        }
    }
}
