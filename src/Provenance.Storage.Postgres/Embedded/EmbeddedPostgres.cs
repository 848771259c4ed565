using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Provenance.Storage.Postgres.Embedded;

/// <summary>
/// A PostgreSQL cluster run from the machine's own install (<c>initdb</c>/<c>pg_ctl</c>), with its data in a
/// local folder: created on the first start, reused afterwards, stopped (<c>pg_ctl stop -m fast</c>) on dispose.
/// Used by the server when no connection string is configured and by every test fixture.
/// </summary>
/// <remarks>
/// The server listens on 127.0.0.1 only (and on a Unix socket inside the data folder when its path is short
/// enough) with <c>trust</c> authentication. <c>fsync</c> stays on. Running as root, the PostgreSQL programs are
/// run as the <c>postgres</c> account through <c>runuser</c> (they refuse root), and the data folder is given to it.
/// </remarks>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string ConfigFileName = "provenance.conf";
    private const int MaxSocketPathLength = 100;

    private readonly EmbeddedPostgresOptions options;
    private readonly PostgresProcessRunner runner;
    private int stopped;

    private EmbeddedPostgres(EmbeddedPostgresOptions options, PostgresProcessRunner runner, int port)
    {
        this.options = options;
        this.runner = runner;
        Port = port;
        ConnectionString = GetConnectionString(options.Database);
    }

    /// <summary>The TCP port the server listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Connection string of <see cref="EmbeddedPostgresOptions.Database"/>.</summary>
    public string ConnectionString { get; }

    /// <summary>The cluster directory (<c>PGDATA</c>).</summary>
    public string DataDirectory => Path.Combine(options.DataFolder, "data");

    /// <summary>Connection string of another database of this cluster (see <see cref="CreateDatabaseAsync"/>).</summary>
    public string GetConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = options.User,
        Database = database,
        Pooling = true,
        MaxPoolSize = 64,
    }.ConnectionString;

    /// <summary>
    /// Creates the cluster when the folder holds none, starts it on a free port (retrying a few times on a
    /// port race or a stale lock after a crash) and creates the database when missing.
    /// </summary>
    /// <exception cref="PostgresBinariesNotFoundException">No PostgreSQL install was found.</exception>
    /// <exception cref="EmbeddedPostgresException">initdb or pg_ctl failed; the message carries their output and the server log.</exception>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataFolder);
        var binDirectory = PostgresBinaries.Locate(options.BinarySearchPath);
        var runner = new PostgresProcessRunner(binDirectory, runAsPostgres: Environment.IsPrivilegedProcess);
        var folder = Path.GetFullPath(options.DataFolder);
        options = Clone(options, folder);

        PrepareFolder(folder, runner.RunAsPostgres);
        var data = Path.Combine(folder, "data");
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            await InitDbAsync(runner, options, data, cancellationToken).ConfigureAwait(false);
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var port = options.Port ?? FreePort();
            await ClearStaleServerAsync(runner, data, cancellationToken).ConfigureAwait(false);
            WriteConfig(options, data, port);
            var log = Path.Combine(folder, "postgres.log");
            var result = await runner.RunAsync("pg_ctl",
                ["start", "-w", "-D", data, "-l", log, "-t", ((int)options.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture)],
                cancellationToken).ConfigureAwait(false);
            if (result.ExitCode == 0)
            {
                var instance = new EmbeddedPostgres(options, runner, port);
                try
                {
                    await instance.CreateDatabaseAsync(options.Database, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await instance.DisposeAsync().ConfigureAwait(false);
                    throw;
                }

                return instance;
            }

            last = new EmbeddedPostgresException($"pg_ctl start failed (exit {result.ExitCode}): {result.Output}\n--- server log ---\n{Tail(log)}");
            await Task.Delay(TimeSpan.FromMilliseconds(500 * (attempt + 1)), cancellationToken).ConfigureAwait(false);
        }

        throw last!;
    }

    /// <summary>Creates a database of this cluster unless it exists (safe when several callers race).</summary>
    public async Task CreateDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        await using var connection = new NpgsqlConnection(GetConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = database });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }

        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(database)} ENCODING 'UTF8'", connection);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another caller created it between the check and the CREATE: the goal is reached.
        }
    }

    /// <summary>Stops the server (<c>pg_ctl stop -m fast</c>); the data stays for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await runner.RunAsync("pg_ctl",
            ["stop", "-m", "fast", "-w", "-D", DataDirectory, "-t", ((int)options.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture)],
            CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops whatever server still runs on the cluster in <paramref name="dataFolder"/> (<c>pg_ctl stop -m immediate</c>,
    /// e.g. left behind by a crashed test run) and deletes the folder. No error when there is nothing to stop.
    /// </summary>
    /// <exception cref="PostgresBinariesNotFoundException">No PostgreSQL install was found.</exception>
    public static async Task DeleteClusterAsync(string dataFolder, IReadOnlyList<string>? binarySearchPath = null, CancellationToken cancellationToken = default)
    {
        var folder = Path.GetFullPath(dataFolder);
        var data = Path.Combine(folder, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            var runner = new PostgresProcessRunner(PostgresBinaries.Locate(binarySearchPath), runAsPostgres: Environment.IsPrivilegedProcess);
            await runner.RunAsync("pg_ctl", ["stop", "-m", "immediate", "-w", "-D", data], cancellationToken).ConfigureAwait(false);
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Synchronous stop, waiting for the server to exit.</summary>
    public void Stop() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// For process-exit handlers, which the test host may kill within milliseconds: starts a detached
    /// <c>pg_ctl stop</c> that outlives this process (<c>-m fast</c>; <c>-m immediate</c> when
    /// <paramref name="deleteDataFolder"/> is set, and then the data folder is removed). Returns at once.
    /// </summary>
    public void StopInBackground(bool deleteDataFolder)
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        // A cluster about to be deleted needs no shutdown checkpoint (which fsyncs every file of every database).
        runner.StartDetached(["stop", "-m", deleteDataFolder ? "immediate" : "fast", "-w", "-D", DataDirectory], deleteDataFolder ? options.DataFolder : null);
    }

    internal static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static EmbeddedPostgresOptions Clone(EmbeddedPostgresOptions o, string folder) => new()
    {
        DataFolder = folder,
        Database = o.Database,
        User = o.User,
        Port = o.Port,
        BinarySearchPath = o.BinarySearchPath,
        SharedBuffers = o.SharedBuffers,
        Settings = o.Settings,
        Timeout = o.Timeout,
    };

    private static async Task InitDbAsync(PostgresProcessRunner runner, EmbeddedPostgresOptions options, string data, CancellationToken cancellationToken)
    {
        // A half-made cluster (initdb killed) would make initdb refuse the non-empty directory.
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }

        var result = await runner.RunAsync("initdb",
            ["-D", data, "-U", options.User, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions"],
            cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"initdb failed (exit {result.ExitCode}): {result.Output}");
        }

        var conf = Path.Combine(data, "postgresql.conf");
        File.AppendAllText(conf, $"\ninclude_if_exists = '{ConfigFileName}'\n");
    }

    private static void PrepareFolder(string folder, bool runAsPostgres)
    {
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(Path.Combine(folder, "run"));
        if (!runAsPostgres || OperatingSystem.IsWindows())
        {
            return;
        }

        PostgresProcessRunner.GiveToPostgres(folder);

        // The postgres account must be able to traverse every parent of the data folder.
        for (var parent = Directory.GetParent(folder); parent is not null; parent = parent.Parent)
        {
            var mode = File.GetUnixFileMode(parent.FullName);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                File.SetUnixFileMode(parent.FullName, mode | UnixFileMode.OtherExecute);
            }
        }
    }

    private static void WriteConfig(EmbeddedPostgresOptions options, string data, int port)
    {
        var socketDirectory = Path.Combine(options.DataFolder, "run");
        var settings = new List<KeyValuePair<string, string>>
        {
            new("listen_addresses", "'127.0.0.1'"),
            new("port", port.ToString(CultureInfo.InvariantCulture)),
            new("unix_socket_directories", socketDirectory.Length <= MaxSocketPathLength ? $"'{socketDirectory}'" : "''"),
            new("max_connections", "200"),
            new("shared_buffers", options.SharedBuffers),
            // Durability is a feature: fsync and synchronous commit stay on; throughput comes from group commit.
            new("fsync", "on"),
            new("synchronous_commit", "on"),
            new("full_page_writes", "on"),
            new("wal_level", "minimal"),
            new("max_wal_senders", "0"),
            // A registration writes ~7 KB of WAL: with 2 GB a checkpoint (and a burst of full-page images) came every
            // ~30 s under load. The clock (15 min) now bounds checkpoints, and the background writer cleans buffers
            // ahead of the backends, which otherwise wrote ~2 dirty buffers per registration themselves.
            new("max_wal_size", "8GB"),
            new("checkpoint_timeout", "15min"),
            new("wal_buffers", "16MB"),
            new("bgwriter_delay", "50ms"),
            new("bgwriter_lru_maxpages", "1000"),
            new("dynamic_shared_memory_type", "mmap"),
            new("log_min_messages", "warning"),
        };
        settings.AddRange(options.Settings);
        var text = new StringBuilder("# written by EmbeddedPostgres on every start\n");
        foreach (var (key, value) in settings)
        {
            text.Append(key).Append(" = ").Append(value).Append('\n');
        }

        var path = Path.Combine(data, ConfigFileName);
        File.WriteAllText(path, text.ToString());
        if (Environment.IsPrivilegedProcess)
        {
            PostgresProcessRunner.GiveToPostgres(path);
        }
    }

    /// <summary>
    /// After a crash the pid file survives. PostgreSQL ignores it when that pid is dead, but refuses when the pid was
    /// reused by another process (common in containers), so remove it unless that pid is this cluster's postmaster.
    /// A postmaster of this cluster still running (its owner died without stopping it) is stopped first.
    /// </summary>
    private static async Task ClearStaleServerAsync(PostgresProcessRunner runner, string data, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(data, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        var firstLine = File.ReadLines(pidFile).FirstOrDefault();
        if (int.TryParse(firstLine, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && IsPostmasterOf(pid, data))
        {
            await runner.RunAsync("pg_ctl", ["stop", "-m", "fast", "-w", "-D", data], cancellationToken).ConfigureAwait(false);
        }

        if (File.Exists(pidFile) && !(int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out pid) && IsPostmasterOf(pid, data)))
        {
            File.Delete(pidFile);
        }
    }

    private static bool IsPostmasterOf(int pid, string data)
    {
        try
        {
            // /proc/<pid>/cmdline is NUL-separated: ".../postgres\0-D\0<data>\0"; empty for a zombie.
            var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return arguments.Length > 0 && Path.GetFileName(arguments[0]) == "postgres" && arguments.Contains(data);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Tail(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 20)));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}
