using System.Security.Cryptography;
using System.Text;
using Provenance.Core.Storage;

namespace Provenance.Storage.Postgres.Tests;

/// <summary>Builders shared by the storage tests.</summary>
internal static class TestEffects
{
    public static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static DurableEffects Event(string stream, string payload)
    {
        var effects = new DurableEffects();
        effects.Events.Add(new OutboxMessage(stream, "test.event", null, Encoding.UTF8.GetBytes(payload)));
        return effects;
    }

    public static DurableEffects Leaf(string sourceKey, out byte[] leafInput)
    {
        leafInput = SHA256.HashData(Encoding.UTF8.GetBytes(sourceKey));
        var effects = new DurableEffects();
        effects.LogAppends.Add(new LogAppend(sourceKey, leafInput));
        return effects;
    }

    public static DurableEffects Child(string parent, string child, string relation)
    {
        var effects = new DurableEffects();
        effects.IndexEntries.Add(new IndexEntry("children", parent, child, Encoding.UTF8.GetBytes(relation)));
        return effects;
    }

    public static GrainStateKey NewKey() => new("asset", Guid.NewGuid().ToString("N"), "state");
}
