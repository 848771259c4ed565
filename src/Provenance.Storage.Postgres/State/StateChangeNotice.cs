using Provenance.Core.Storage;

namespace Provenance.Storage.Postgres.State;

/// <summary>Payload of a <c>provenance_state</c> notification: <c>node \t grain type \t key \t state name</c>.</summary>
internal static class StateChangeNotice
{
    /// <summary>PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; longer keys are not announced.</summary>
    public const int MaxPayloadLength = 7900;

    public static string Format(string nodeId, GrainStateKey key) => $"{nodeId}\t{key.GrainType}\t{key.Key}\t{key.StateName}";

    /// <summary>Parses a payload; the key may itself contain tabs (node, type and state name may not).</summary>
    public static bool TryParse(string payload, out string nodeId, out GrainStateKey key)
    {
        var first = payload.IndexOf('\t', StringComparison.Ordinal);
        var second = first < 0 ? -1 : payload.IndexOf('\t', first + 1);
        var last = payload.LastIndexOf('\t');
        if (first < 0 || second < 0 || last == second)
        {
            (nodeId, key) = ("", default);
            return false;
        }

        nodeId = payload[..first];
        key = new GrainStateKey(payload[(first + 1)..second], payload[(second + 1)..last], payload[(last + 1)..]);
        return true;
    }
}
