namespace Provenance.Client;

/// <summary>Settings of a <see cref="ProvenanceClient"/>.</summary>
public sealed class ProvenanceClientOptions
{
    /// <summary>The server's address, e.g. <c>http://127.0.0.1:5080</c>. Required unless the given HttpClient has one.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>API key, sent as <c>Authorization: Bearer &lt;key&gt;</c>; <see langword="null"/> sends none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Time limit of one attempt (connect, send, and read the answer's headers); default 100 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Retries after the first attempt of an idempotent call (GET, PUT, DELETE) that met a 5xx answer or a transport error; default 3. POST is never retried.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; each next one doubles, with jitter, up to <see cref="MaxRetryDelay"/>. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between two attempts, also the cap on a server's <c>Retry-After</c>; default 10 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Clock for retry delays and polling (tests pass a fake).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "The timeout must be positive or infinite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(RetryBaseDelay, TimeSpan.Zero, nameof(RetryBaseDelay));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
