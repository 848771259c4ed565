using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Provenance.Storage.Postgres.Embedded;

namespace Provenance.Benchmarks.HttpLoad;

/// <summary>
/// <c>--start-server</c>: the built server DLL as separate processes on free loopback ports with a temp data directory.
/// One node uses its own embedded PostgreSQL (as a user's first start does); <c>--nodes 2</c> starts one embedded
/// PostgreSQL here and points every node at it with <c>ConnectionStrings:Provenance</c>. The first node creates the
/// admin key (<c>&lt;DataDirectory&gt;/admin-key.txt</c>); the others start after it so they share that key.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<Process> processes = [];
    private readonly List<(ProcessStartInfo Info, Uri Address)> starts = [];
    private readonly string root;
    private EmbeddedPostgres? database;

    private LocalCluster(string root) => this.root = root;

    public Uri[] BaseAddresses { get; private set; } = [];

    public string AdminKey { get; private set; } = "";

    /// <summary>The shared database's connection string (several nodes), or null (one node with its own).</summary>
    public string? ConnectionString => database?.ConnectionString;

    /// <summary>Node <paramref name="node"/>'s process id.</summary>
    public int ProcessId(int node) => processes[node].Id;

    /// <summary>SIGKILL to node <paramref name="node"/>: no shutdown of any kind, as a crash.</summary>
    public async Task KillAsync(int node)
    {
        var process = processes[node];
        using (var kill = Process.Start("kill", ["-KILL", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync();
    }

    /// <summary>Starts node <paramref name="node"/> again with its first arguments and waits until it is ready.</summary>
    public Task RestartAsync(int node) => StartNodeAsync(node);

    private async Task StartNodeAsync(int node)
    {
        var (info, address) = starts[node];
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        if (node < processes.Count)
        {
            processes[node].Dispose();
            processes[node] = process;
        }
        else
        {
            processes.Add(process);
        }

        process.OutputDataReceived += (_, e) => Echo(node, e.Data);
        process.ErrorDataReceived += (_, e) => Echo(node, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitReadyAsync(process, address, TimeSpan.FromMinutes(3));
    }

    /// <summary>CPU accounting of the nodes and their PostgreSQL cluster.</summary>
    public CpuMeter CpuMeter() => new([.. processes.Select(p => p.Id)],
        database is not null ? [database.DataDirectory] : [.. Enumerable.Range(1, processes.Count).Select(i => Path.Combine(root, $"node{i}", "pg", "data"))]);

    public static async Task<LocalCluster> StartAsync(int nodes, string? serverDll)
    {
        var dll = serverDll ?? DefaultServerDll();
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the server first (dotnet build -c Release src/Provenance.Server): {dll}");
        }

        var cluster = new LocalCluster(Directory.CreateTempSubdirectory("provenance-httpload-").FullName);
        try
        {
            string? connection = null;
            if (nodes > 1)
            {
                cluster.database = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataFolder = Path.Combine(cluster.root, "pg"), Database = "provenance" });
                connection = cluster.database.ConnectionString;
            }

            var addresses = new List<Uri>();
            for (var i = 0; i < nodes; i++)
            {
                var data = Path.Combine(cluster.root, $"node{i + 1}");
                Directory.CreateDirectory(data);
                var address = new Uri($"http://127.0.0.1:{FreePort()}/");
                var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = data };
                if (Environment.GetEnvironmentVariable("HTTPLOAD_SERVER_TRACE") is { Length: > 0 } trace)
                {
                    // Diagnostics: a sampling-profiler EventPipe trace of each node (read it with `http-load-trace FILE`).
                    info.Environment["DOTNET_EnableEventPipe"] = "1";
                    info.Environment["DOTNET_EventPipeOutputPath"] = $"{trace}.node{i + 1}.nettrace";
                    info.Environment["DOTNET_EventPipeConfig"] = "Microsoft-DotNETCore-SampleProfiler:0:5,Microsoft-Windows-DotNETRuntime:0x4c14fccbd:5";
                }

                info.ArgumentList.Add(dll);
                info.ArgumentList.Add("--urls");
                info.ArgumentList.Add(address.ToString().TrimEnd('/'));
                info.ArgumentList.Add($"--Provenance:DataDirectory={data}");
                info.ArgumentList.Add("--Provenance:Cluster:SiloPort=0");
                info.ArgumentList.Add("--Provenance:Cluster:GatewayPort=0");
                info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
                if (connection is not null)
                {
                    info.ArgumentList.Add($"--ConnectionStrings:Provenance={connection}");
                }

                if (i > 0)
                {
                    // One deployment shares the signing keys and the built-in TSA's material (docker-compose.yml: one volume).
                    info.ArgumentList.Add($"--Provenance:KeyDirectory={Path.Combine(cluster.root, "node1", "keys")}");
                    info.ArgumentList.Add($"--Provenance:Tsa:KeyDirectory={Path.Combine(cluster.root, "node1", "tsa")}");
                }

                cluster.starts.Add((info, address));
                await cluster.StartNodeAsync(i);
                if (i == 0)
                {
                    cluster.AdminKey = (await File.ReadAllTextAsync(Path.Combine(data, "admin-key.txt"))).Trim();
                }

                addresses.Add(address);
                Console.Error.WriteLine($"node {i + 1} ready at {address} (pid {cluster.ProcessId(i)})");
            }

            cluster.BaseAddresses = [.. addresses];
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static void Echo(int node, string? line)
    {
        if (line is not null && !line.StartsWith("Admin API key:", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"[node {node + 1}] {line}");
        }
    }

    private static async Task WaitReadyAsync(Process process, Uri address, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode}.");
            }

            try
            {
                using var response = await http.GetAsync("readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The server at {address} was not ready within {timeout.TotalSeconds} s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>src/Provenance.Server/bin/Release/net10.0/Provenance.Server.dll of the repository this tool runs from.</summary>
    private static string DefaultServerDll()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Provenance.Orleans.sln")))
        {
            directory = directory.Parent;
        }

        return directory is null
            ? throw new InvalidOperationException("Run from the repository, or pass --server-dll.")
            : Path.Combine(directory.FullName, "src", "Provenance.Server", "bin", "Release", "net10.0", "Provenance.Server.dll");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
        {
            if (!process.HasExited)
            {
                // SIGTERM so a node stops its embedded PostgreSQL; the id is our own child's.
                using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
            }
        }

        foreach (var process in processes)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }

        if (database is not null)
        {
            await database.DisposeAsync();
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"left {root}: {e.Message}");
        }
    }
}
