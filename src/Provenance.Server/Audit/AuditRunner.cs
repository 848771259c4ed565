using System.Globalization;
using System.Text.Json.Nodes;
using Provenance.Server.Metrics;
using Provenance.Server.Webhooks;

namespace Provenance.Server.Audit;

/// <summary>
/// One audit run: every registered <see cref="IAuditCheck"/> in turn. Each finding is stored, logged, counted in
/// /metrics and sent as webhook event <c>audit.mismatch</c> (to the asset's tenant, or to the operator tenant for
/// deployment-wide records such as the log). Knows nothing of scheduling or exclusion: <see cref="AuditGrain"/>, the
/// one activation in the cluster, decides when a run starts and keeps runs one at a time.
/// </summary>
internal sealed class AuditRunner(
    IEnumerable<IAuditCheck> checks,
    AuditStore store,
    WebhookStore webhooks,
    WebhookQueueSignal webhookSignal,
    ServerMetrics metrics,
    TimeProvider time,
    ILogger<AuditRunner> logger)
{
    /// <summary>Checks the architecture asks for; any not registered is listed as skipped in the run record.</summary>
    internal static readonly IReadOnlyList<string> Expected = ["log-tree", "manifests", "checkpoints"];

    /// <summary>A new run id, <c>audit_{UTC time}_{6 hex}</c>: sortable by start time, unique across silos.</summary>
    public string NewRunId() =>
        "audit_" + time.GetUtcNow().ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>Records the start of run <paramref name="runId"/> (a row of <c>audit_runs</c> without <c>finished_at</c>).</summary>
    public Task StartAsync(string runId, CancellationToken cancellationToken) => store.StartRunAsync(runId, cancellationToken);

    /// <summary>
    /// Runs every check of the run started by <see cref="StartAsync"/> and records its end. A run that fails or is
    /// cancelled keeps its row without <c>finished_at</c>; the exception propagates.
    /// </summary>
    public async Task RunChecksAsync(string runId, CancellationToken cancellationToken)
    {
        long checkedCount = 0, findings = 0;
        var available = checks.Select(c => c.Name).ToHashSet();
        foreach (var check in checks)
        {
            checkedCount += await check.RunAsync(async finding =>
            {
                findings++;
                var id = await store.AddFindingAsync(runId, finding, cancellationToken);
                metrics.AuditFindings.Add(1, new KeyValuePair<string, object?>("kind", finding.Kind));
                logger.LogWarning("Audit {Run}: {Kind} on {Subject}: {Detail}", runId, finding.Kind, finding.Subject, finding.Detail);
                var data = new JsonObject { ["findingId"] = id, ["runId"] = runId, ["kind"] = finding.Kind, ["subject"] = finding.Subject, ["detail"] = finding.Detail };
                var queued = await webhooks.FanOutAsync(new WebhookEvent($"evt_audit_{id}", WebhookEvents.AuditMismatch, finding.Tenant ?? Auth.Tenants.Operator, time.GetUtcNow(), data), cancellationToken);
                if (queued > 0)
                {
                    webhookSignal.Notify();
                }
            }, cancellationToken);
        }

        var skipped = Expected.Where(n => !available.Contains(n)).ToList();
        await store.FinishRunAsync(runId, checkedCount, findings, skipped.Count == 0 ? null : string.Join("; ", skipped), cancellationToken);
        metrics.AuditRuns.Add(1);
        logger.LogInformation("Audit {Run} checked {Checked} records, {Findings} findings", runId, checkedCount, findings);
    }
}
