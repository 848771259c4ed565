using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;

namespace Provenance.Benchmarks.HttpLoad;

/// <summary>
/// <c>http-load-trace FILE.nettrace [top] [filter] [busy]</c>: the methods most often on the sampled stacks (inclusive, only
/// names containing the filter; and exclusive) of an EventPipe trace written by a node started with
/// <c>HTTPLOAD_SERVER_TRACE=/tmp/x http-load --start-server ...</c>. With <c>busy</c>, samples of threads parked in a
/// wait (or a blocking read, or in unresolved native code) are left out, so the percentages are shares of the CPU work.
/// </summary>
internal static class TraceTop
{
    public static int Run(string[] args)
    {
        var top = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 40;
        var etlx = TraceLog.CreateFromEventPipeDataFile(args[0]);
        using var log = new TraceLog(etlx);
        var inclusive = new Dictionary<string, long>(StringComparer.Ordinal);
        var exclusive = new Dictionary<string, long>(StringComparer.Ordinal);
        var busyOnly = args.Length > 3 && args[3] == "busy";
        // "callers <top frame part>": for samples whose top frame contains it, which Provenance frame is nearest below.
        var callersOf = args.Length > 4 && args[3] == "callers" ? args[4] : null;
        var callers = new Dictionary<string, long>(StringComparer.Ordinal);
        long samples = 0;
        foreach (var e in log.Events)
        {
            if (e.ProviderName != "Microsoft-DotNETCore-SampleProfiler" || e.CallStack() is not { } stack)
            {
                continue;
            }

            // The sample profiler samples every thread, waiting ones too: wait frames on top are part of the picture.
            if (busyOnly && IsParked(stack.CodeAddress.FullMethodName))
            {
                continue;
            }

            if (callersOf is not null && stack.CodeAddress.FullMethodName?.Contains(callersOf, StringComparison.Ordinal) == true)
            {
                var caller = stack.Caller;
                while (caller is not null && caller.CodeAddress.FullMethodName?.StartsWith("Provenance.", StringComparison.Ordinal) != true)
                {
                    caller = caller.Caller;
                }

                var key = caller?.CodeAddress.FullMethodName ?? "(no Provenance frame)";
                callers[key] = callers.GetValueOrDefault(key) + 1;
            }

            var first = true;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var frame = stack; frame is not null; frame = frame.Caller)
            {
                var name = frame.CodeAddress.FullMethodName;
                if (string.IsNullOrEmpty(name))
                {
                    name = "?" + frame.CodeAddress.ModuleName;
                }

                if (first)
                {
                    exclusive[name] = exclusive.GetValueOrDefault(name) + 1;
                    samples++;
                    first = false;
                }

                if (seen.Add(name))
                {
                    inclusive[name] = inclusive.GetValueOrDefault(name) + 1;
                }
            }
        }

        Console.WriteLine($"thread samples: {samples}");
        Console.WriteLine("--- inclusive ---");
        var filter = args.Length > 2 ? args[2] : "";
        foreach (var (name, count) in inclusive.Where(kv => kv.Key.Contains(filter, StringComparison.Ordinal)).OrderByDescending(kv => kv.Value).Take(top))
        {
            Console.WriteLine($"{100.0 * count / Math.Max(1, samples),6:F1}%  {name}");
        }

        if (callersOf is not null)
        {
            Console.WriteLine($"--- nearest Provenance frame under '{callersOf}' ---");
            foreach (var (name, count) in callers.OrderByDescending(kv => kv.Value).Take(top))
            {
                Console.WriteLine($"{100.0 * count / Math.Max(1, samples),6:F1}%  {name}");
            }
        }

        Console.WriteLine("--- exclusive ---");
        foreach (var (name, count) in exclusive.OrderByDescending(kv => kv.Value).Take(top))
        {
            Console.WriteLine($"{100.0 * count / Math.Max(1, samples),6:F1}%  {name}");
        }

        return 0;
    }

    private static bool IsParked(string? top) =>
        string.IsNullOrEmpty(top) || top.Contains(".Wait", StringComparison.Ordinal) || top.Contains("WaitNative", StringComparison.Ordinal)
        || top.Contains("WaitForSignal", StringComparison.Ordinal) || top.StartsWith("Interop+Sys.Read", StringComparison.Ordinal)
        || top.StartsWith("System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart", StringComparison.Ordinal);
}
