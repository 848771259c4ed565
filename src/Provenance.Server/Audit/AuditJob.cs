using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Provenance.Core.Storage;
using Provenance.Server.Hosting;
using Provenance.Server.Metrics;
using Provenance.Server.Webhooks;

namespace Provenance.Server.Audit;

/// <summary>
/// Re-verifies what is stored (nightly by default, or on POST /v1/audit/run): every registered <see cref="IAuditCheck"/>
/// runs under the deployment-wide <c>audit</c> lock, so one node audits at a time. Each finding is stored, logged,
/// counted in /metrics and sent as webhook event <c>audit.mismatch</c> (to the asset's tenant, or to the operator
/// tenant for deployment-wide records such as the log).
/// </summary>
internal sealed class AuditJob(
    IEnumerable<IAuditCheck> checks,
    AuditStore store,
    WebhookStore webhooks,
    WebhookQueueSignal webhookSignal,
    IDistributedLock locks,
    ServerMetrics metrics,
    IOptions<ProvenanceOptions> options,
    TimeProvider time,
    ILogger<AuditJob> logger) : BackgroundService
{
    /// <summary>Checks the architecture asks for; any not registered is listed as skipped in the run record.</summary>
    internal static readonly IReadOnlyList<string> Expected = ["log-tree", "manifests", "checkpoints"];

    private readonly SemaphoreSlim trigger = new(0, 1);

    /// <summary>Asks the job to run now (no-op when a run is already requested).</summary>
    public void Trigger()
    {
        try
        {
            trigger.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>Runs every check once; returns the run id, or null when another node is auditing.</summary>
    public async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var held = await locks.TryAcquireAsync("audit", cancellationToken);
        if (held is null)
        {
            return null;
        }

        var runId = "audit_" + time.GetUtcNow().ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture) + "_" + Guid.NewGuid().ToString("N")[..6];
        await store.StartRunAsync(runId, cancellationToken);
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
        return runId;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = NextDelay(options.Value.Audit, time.GetUtcNow());
            try
            {
                if (delay is { } d)
                {
                    await trigger.WaitAsync(d, stoppingToken);
                }
                else
                {
                    await trigger.WaitAsync(stoppingToken);
                }

                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Audit run failed");
            }
        }
    }

    /// <summary>Time to the next scheduled run: the next <c>DailyAtUtc</c> time, else <c>IntervalHours</c>; null when unscheduled.</summary>
    /// <exception cref="InvalidOperationException"><c>Cron</c> is not of the form <c>"M H * * *"</c>, or <c>DailyAtUtc</c> is not <c>HH:mm</c>.</exception>
    internal static TimeSpan? NextDelay(AuditSettings settings, DateTimeOffset now)
    {
        var daily = settings.DailyAtUtc;
        if (!string.IsNullOrWhiteSpace(settings.Cron))
        {
            var fields = settings.Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 5 || fields[2..].Any(f => f != "*") ||
                !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var minute) || minute > 59 ||
                !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hour) || hour > 23)
            {
                throw new InvalidOperationException($"Provenance:Audit:Cron '{settings.Cron}' is not supported; use the daily form 'M H * * *' (UTC), e.g. '30 3 * * *'.");
            }

            daily = $"{hour:00}:{minute:00}";
        }

        if (!string.IsNullOrWhiteSpace(daily))
        {
            if (!TimeOnly.TryParseExact(daily, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            {
                throw new InvalidOperationException($"Provenance:Audit:DailyAtUtc '{daily}' is not HH:mm.");
            }

            var today = new DateTimeOffset(DateOnly.FromDateTime(now.UtcDateTime).ToDateTime(at), TimeSpan.Zero);
            var next = today > now ? today : today.AddDays(1);
            return next - now;
        }

        return settings.IntervalHours > 0 ? TimeSpan.FromHours(settings.IntervalHours) : null;
    }

    public override void Dispose()
    {
        trigger.Dispose();
        base.Dispose();
    }
}
