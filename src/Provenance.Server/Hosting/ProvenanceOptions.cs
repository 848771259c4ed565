namespace Provenance.Server.Hosting;

/// <summary>
/// The <c>Provenance</c> configuration section (docs/configuration.md). Relative paths are resolved against
/// the process working directory; every folder below <see cref="DataDirectory"/> defaults from it.
/// </summary>
public sealed class ProvenanceOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Provenance";

    /// <summary>Root of everything the server keeps on disk. Default <c>./.provenance</c>.</summary>
    public string DataDirectory { get; set; } = ".provenance";

    /// <summary>Signing keys (PKCS#8 PEM, mode 0600). Default <c>&lt;DataDirectory&gt;/keys</c>.</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>
/// The Orleans cluster (docs/configuration.md): every server process on the same PostgreSQL with the same cluster id is a
/// silo of one cluster. Two silos on one machine need distinct ports.
/// </summary>
public sealed class ClusterSettings
{
    /// <summary>Cluster id. Default <c>provenance</c>.</summary>
    public string ClusterId { get; set; } = "provenance";

    /// <summary>Service id, stable across deployments. Default <c>provenance</c>.</summary>
    public string ServiceId { get; set; } = "provenance";

    /// <summary>Silo-to-silo port. Default 11111; 0 picks a free port at start (tests).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Gateway port for cluster clients. Default 30000; 0 picks a free port at start (tests).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients reach this one at. Default 127.0.0.1 (one machine); set it on a network.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Listen on every interface rather than only <see cref="AdvertisedAddress"/> (containers). Default off.</summary>
    public bool ListenOnAnyAddress { get; set; }
}

/// <summary>Request body limits.</summary>
    public LimitOptions Limits { get; set; } = new();

    /// <summary>Uploaded files (POST /v1/assets/upload, POST /v1/verify multipart).</summary>
    public UploadOptions Uploads { get; set; } = new();

    /// <summary>Timestamp authorities.</summary>
    public TsaSettings Tsa { get; set; } = new();

    /// <summary>Epoch scheduling.</summary>
    public AnchorSettings Anchor { get; set; } = new();

    /// <summary>Webhook delivery.</summary>
    public WebhookSettings Webhooks { get; set; } = new();

    /// <summary>The audit job.</summary>
    public AuditSettings Audit { get; set; } = new();

    /// <summary>This silo's place in the Orleans cluster.</summary>
    public ClusterSettings Cluster { get; set; } = new();

    /// <summary>This node's name (logs, cross-node notifications). Default: a random id per start.</summary>
    public string? NodeName { get; set; }

    /// <summary>How often a running node checks its signing key folders for a rotation or revocation (done by
    /// <c>Provenance.Server signing-keys ...</c> here or on another node sharing the folder). Default 5 s.</summary>
    public double SigningKeyReloadSeconds { get; set; } = 5;

    /// <summary>Whether the first start creates tenant <c>default</c> with an admin key. Default on.</summary>
    public bool BootstrapAdminKey { get; set; } = true;

    /// <summary>Absolute data directory.</summary>
    public string ResolvedDataDirectory => Path.GetFullPath(DataDirectory);

    /// <summary>Absolute key directory.</summary>
    public string ResolvedKeyDirectory => Path.GetFullPath(KeyDirectory ?? Path.Combine(ResolvedDataDirectory, "keys"));
}

/// <summary>Request body limits.</summary>
public sealed class LimitOptions
{
    /// <summary>Largest JSON (or any non-upload) request body. Default 1 MiB.</summary>
    public long JsonBytes { get; set; } = 1L << 20;
}

/// <summary>Upload handling.</summary>
public sealed class UploadOptions
{
    /// <summary>Largest upload body. Default 1 GiB.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>Keep uploaded bytes under <see cref="Directory"/> (named by content hash). Default off: bytes are only hashed.</summary>
    public bool KeepFiles { get; set; }

    /// <summary>Where kept files go. Default <c>&lt;DataDirectory&gt;/uploads</c>.</summary>
    public string? Directory { get; set; }
}

/// <summary>The <c>Provenance:Tsa</c> section.</summary>
public sealed class TsaSettings
{
    /// <summary>External TSAs. Empty (default): the built-in TSA served at <c>POST /tsa</c> is used, over HTTP like an external one.</summary>
    public IList<TsaAuthoritySettings> Authorities { get; set; } = [];

    /// <summary>Built-in TSA key folder. Default <c>&lt;DataDirectory&gt;/tsa</c>.</summary>
    public string? KeyDirectory { get; set; }
}

/// <summary>One external TSA.</summary>
public sealed class TsaAuthoritySettings
{
    /// <summary>Display name recorded with each token.</summary>
    public string Name { get; set; } = "";

    /// <summary>RFC 3161 HTTP endpoint.</summary>
    public string Url { get; set; } = "";

    /// <summary>Policy OID to request and require; empty accepts the TSA's default.</summary>
    public string? PolicyOid { get; set; }

    /// <summary>PEM/DER root certificates the TSA's signer must chain to.</summary>
    public IList<string> TrustAnchorPaths { get; set; } = [];

    /// <summary>Per-request timeout in seconds. Default 10.</summary>
    public double TimeoutSeconds { get; set; } = 10;
}

/// <summary>The <c>Provenance:Anchor</c> section.</summary>
public sealed class AnchorSettings
{
    /// <summary>Seal an epoch at least this often when entries are pending. Default 300; 0 disables the clock.</summary>
    public double IntervalSeconds { get; set; } = 300;

    /// <summary>Seal as soon as this many entries are pending. Default 1000; 0 disables.</summary>
    public long PendingThreshold { get; set; } = 1000;
}

/// <summary>The <c>Provenance:Webhooks</c> section.</summary>
public sealed class WebhookSettings
{
    /// <summary>
    /// Whether this node delivers webhooks (HTTP POSTs). Default on; deliveries stay queued in the database while off.
    /// Fan-out (queueing deliveries from the <c>assets</c> and <c>epochs</c> streams) runs wherever Orleans places the
    /// consumer grains and is not switched by this.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>First retry delay; attempt n waits base·2^(n-1), capped by <see cref="MaxRetryDelaySeconds"/>. Default 5.</summary>
    public double RetryBaseSeconds { get; set; } = 5;

    /// <summary>Longest wait between two attempts. Default 3600.</summary>
    public double MaxRetryDelaySeconds { get; set; } = 3600;

    /// <summary>Give up (state <c>dead</c>) after this many attempts; 0 (default) never gives up.</summary>
    public int MaxAttempts { get; set; }

    /// <summary>How often the delivery worker looks for due deliveries when not woken. Default 1.</summary>
    public double PollSeconds { get; set; } = 1;

    /// <summary>Per-delivery HTTP timeout. Default 10.</summary>
    public double TimeoutSeconds { get; set; } = 10;
}

/// <summary>The <c>Provenance:Audit</c> section.</summary>
public sealed class AuditSettings
{
    /// <summary>Run the audit every this many hours. Default 24 (nightly); 0 disables the schedule (POST /v1/audit/run still works).</summary>
    public double IntervalHours { get; set; } = 24;

    /// <summary>Optional daily run time <c>HH:mm</c> (UTC), e.g. <c>03:00</c>; when set it replaces <see cref="IntervalHours"/>.</summary>
    public string? DailyAtUtc { get; set; }

    /// <summary>Optional cron schedule (UTC) of the daily form <c>"M H * * *"</c>, e.g. <c>"30 3 * * *"</c>; same as <see cref="DailyAtUtc"/>.</summary>
    public string? Cron { get; set; }
}
