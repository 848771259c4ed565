using System.Reflection;

namespace Provenance.Actors.Runtime;

/// <summary>
/// A grain reference: a <see cref="DispatchProxy"/> implementing the grain interface. Holds no
/// activation, only the identity, so it stays valid across deactivations and may be cached.
/// </summary>
internal class GrainProxy : DispatchProxy
{
    private GrainRuntime _runtime = null!;
    private GrainInterfaceInfo _interface = null!;

    internal GrainId GrainId { get; private set; }

    internal void Bind(GrainRuntime runtime, GrainInterfaceInfo grainInterface, GrainId grainId)
    {
        _runtime = runtime;
        _interface = grainInterface;
        GrainId = grainId;
    }

    /// <inheritdoc/>
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        _interface.GetInvoker(targetMethod!).Invoke(_runtime, GrainId, _interface.Class, args ?? []);

    /// <inheritdoc/>
    public override string ToString() => $"GrainReference({_interface.InterfaceType.Name}, {GrainId})";

    /// <inheritdoc/>
    public override bool Equals(object? obj) =>
        obj is GrainProxy other && ReferenceEquals(other._runtime, _runtime) && other.GrainId == GrainId && other._interface == _interface;

    /// <inheritdoc/>
    public override int GetHashCode() => GrainId.GetHashCode();
}
