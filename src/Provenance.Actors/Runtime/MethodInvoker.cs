using System.Linq.Expressions;
using System.Reflection;

namespace Provenance.Actors.Runtime;

/// <summary>Result type of grain methods returning <see cref="Task"/> or <see cref="ValueTask"/>.</summary>
internal readonly struct VoidResult;

/// <summary>Calls one grain method on a grain instance; compiled once per method.</summary>
internal delegate ValueTask<T> GrainCall<T>(object grain, object?[] arguments);

/// <summary>Turns a proxy call into a runtime call and the runtime's task into the method's declared return type.</summary>
internal abstract class MethodInvoker
{
    public abstract object Invoke(GrainRuntime runtime, GrainId grainId, GrainClassInfo grainClass, object?[] arguments);

    /// <exception cref="NotSupportedException">The method is generic, has by-ref parameters or does not return Task/ValueTask.</exception>
    public static MethodInvoker Create(MethodInfo method, GrainClassInfo grainClass)
    {
        if (method.IsGenericMethodDefinition || method.GetParameters().Any(p => p.ParameterType.IsByRef))
        {
            throw new NotSupportedException($"Grain method {method.DeclaringType}.{method.Name} must not be generic or have ref/out parameters.");
        }

        var kind = grainClass.IsReentrant || method.IsDefined(typeof(AlwaysInterleaveAttribute)) ? CallKind.Interleave
            : method.IsDefined(typeof(ReadOnlyAttribute)) ? CallKind.ReadOnly
            : CallKind.Exclusive;
        var returnType = method.ReturnType;
        if (returnType == typeof(Task) || returnType == typeof(ValueTask))
        {
            return new MethodInvoker<VoidResult>(Compile<VoidResult>(method), kind, returnType == typeof(Task) ? ReturnShape.Task : ReturnShape.ValueTask);
        }

        if (returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            var result = returnType.GetGenericArguments()[0];
            var shape = returnType.GetGenericTypeDefinition() == typeof(Task<>) ? ReturnShape.Task : ReturnShape.ValueTask;
            var compile = typeof(MethodInvoker).GetMethod(nameof(Compile), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(result);
            var call = compile.Invoke(null, [method])!;
            return (MethodInvoker)Activator.CreateInstance(typeof(MethodInvoker<>).MakeGenericType(result), call, kind, shape)!;
        }

        throw new NotSupportedException($"Grain method {method.DeclaringType}.{method.Name} must return Task, Task<T>, ValueTask or ValueTask<T>.");
    }

    private static GrainCall<T> Compile<T>(MethodInfo method)
    {
        var grain = Expression.Parameter(typeof(object), "grain");
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        var call = Expression.Call(
            Expression.Convert(grain, method.DeclaringType!),
            method,
            method.GetParameters().Select((p, i) => Expression.Convert(Expression.ArrayIndex(arguments, Expression.Constant(i)), p.ParameterType)));
        Expression body = method.ReturnType switch
        {
            var t when t == typeof(Task) => Expression.Call(typeof(MethodInvoker).GetMethod(nameof(FromTask), BindingFlags.NonPublic | BindingFlags.Static)!, call),
            var t when t == typeof(ValueTask) => Expression.Call(typeof(MethodInvoker).GetMethod(nameof(FromValueTask), BindingFlags.NonPublic | BindingFlags.Static)!, call),
            var t when t == typeof(ValueTask<T>) => call,
            _ => Expression.New(typeof(ValueTask<T>).GetConstructor([typeof(Task<T>)])!, call),
        };
        return Expression.Lambda<GrainCall<T>>(body, grain, arguments).Compile();
    }

    internal static ValueTask<VoidResult> FromTask(Task task) =>
        task.IsCompletedSuccessfully ? default : Await(task);

    private static ValueTask<VoidResult> FromValueTask(ValueTask task) =>
        task.IsCompletedSuccessfully ? default : Await(task.AsTask());

    private static async ValueTask<VoidResult> Await(Task task)
    {
        await task.ConfigureAwait(false);
        return default;
    }
}

internal enum ReturnShape
{
    Task,
    ValueTask,
}

internal sealed class MethodInvoker<T>(GrainCall<T> call, CallKind kind, ReturnShape shape) : MethodInvoker
{
    public GrainCall<T> Call { get; } = call;

    public CallKind Kind { get; } = kind;

    public override object Invoke(GrainRuntime runtime, GrainId grainId, GrainClassInfo grainClass, object?[] arguments)
    {
        var task = runtime.InvokeAsync(grainId, grainClass, Kind, Call, arguments);
        return (shape, typeof(T) == typeof(VoidResult)) switch
        {
            (ReturnShape.Task, _) => task,
            (ReturnShape.ValueTask, true) => new ValueTask(task),
            _ => new ValueTask<T>(task),
        };
    }
}
