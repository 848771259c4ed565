namespace Provenance.Core.Storage;

/// <summary>Raised by storage when another node changed a grain state, so this node's copy is stale.</summary>
public interface IStateChangeFeed
{
    /// <summary>Raised with the key of a state that another node wrote or cleared.</summary>
    event Action<GrainStateKey>? StateChangedElsewhere;
}
