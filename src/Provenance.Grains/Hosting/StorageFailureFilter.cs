using System.Data.Common;
using Microsoft.Extensions.Logging;
using Orleans;
using Provenance.Core;

namespace Provenance.Grains.Hosting;

/// <summary>
/// Turns a database error inside a grain call into <see cref="StorageUnavailableException"/>: a typed, serializable
/// domain error (503 over HTTP) instead of a driver exception that cannot cross the wire. The original is logged here,
/// once, with the grain and method, and kept as the inner exception on this silo.
/// </summary>
internal sealed class StorageFailureFilter(ILogger<StorageFailureFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (DbException exception)
        {
            logger.LogError(exception, "Database error in {Grain}.{Method}", context.TargetId, context.MethodName);
            throw new StorageUnavailableException(exception);
        }
    }
}
