using System.Diagnostics;
namespace Provenance.Cli.Tests.Walkthrough;

/// <summary>
/// The real server as a child process, the way a user starts it: <c>dotnet Provenance.Server.dll --urls ...</c> with a
/// fresh data directory (embedded PostgreSQL, built-in TSA), a free loopback port, and the bootstrap admin key read
/// from <c>admin-key.txt</c>. Stopped with SIGTERM so it shuts its embedded database down.
/// Also linked into Provenance.Server.Tests (two nodes on one database: pass a connection string; only the node that
/// bootstraps the deployment writes <c>admin-key.txt</c>).
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();

    private ServerProcess(Process process, string dataDirectory, Uri baseAddress)
    {
        _process = process;
        DataDirectory = dataDirectory;
        BaseAddress = baseAddress;
    }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; }

    public string AdminKey { get; private set; } = "";

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<ServerProcess> StartAsync(TimeSpan readyTimeout, string? connectionString = null, params string[] extraArgs)
    {
        var dll = ServerAssembly();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "provenance-walkthrough", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDirectory);
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory,
        };
        string[] args = [dll, "--urls", $"http://127.0.0.1:{port}", "--Provenance:Cluster:SiloPort=0", "--Provenance:Cluster:GatewayPort=0", $"--Provenance:DataDirectory={dataDirectory}", "--Logging:LogLevel:Default=Warning", .. extraArgs];
        if (connectionString is not null)
        {
            args = [.. args, $"--ConnectionStrings:Provenance={connectionString}"];
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var server = new ServerProcess(process, dataDirectory, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(readyTimeout, adminKeyExpected: connectionString is null);
            var keyFile = Path.Combine(dataDirectory, "admin-key.txt");
            server.AdminKey = File.Exists(keyFile) ? (await File.ReadAllTextAsync(keyFile)).Trim() : "";
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>A free loopback port.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitReadyAsync(TimeSpan timeout, bool adminKeyExpected)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                using var response = await http.GetAsync("readyz");
                if (response.IsSuccessStatusCode && (!adminKeyExpected || File.Exists(Path.Combine(DataDirectory, "admin-key.txt"))))
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

        throw new TimeoutException($"The server was not ready within {timeout.TotalSeconds} s:\n{Log}");
    }

    /// <summary>The server assembly built beside this test assembly's configuration (the project reference builds it).</summary>
    private static string ServerAssembly()
    {
        var testDirectory = AppContext.BaseDirectory;
        var root = new DirectoryInfo(testDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Provenance.Orleans.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"No repository root above {testDirectory}.");
        }

        var configuration = new DirectoryInfo(testDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(root.FullName, "src", "Provenance.Server", "bin", configuration, "net10.0", "Provenance.Server.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the server first: {dll}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM lets the host stop its embedded PostgreSQL; the id is our own child's.
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a stopping database; the temp folder is cleaned by the OS.
        }
    }
}
