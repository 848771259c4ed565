using Provenance.Core.Storage;
using Provenance.Storage.Postgres;

namespace Provenance.Server.Hosting;

/// <summary>A non-disposable view of the storage's state-change feed, so only <see cref="PostgresStorage"/> disposes the listener.</summary>
internal sealed class StateChangeFeedView(IStateChangeFeed inner) : IStateChangeFeed
{
    public event Action<GrainStateKey>? StateChangedElsewhere
    {
        add => inner.StateChangedElsewhere += value;
        remove => inner.StateChangedElsewhere -= value;
    }
}
