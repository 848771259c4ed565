using Microsoft.Extensions.DependencyInjection.Extensions;
using Provenance.Server.Hosting;
using Provenance.Server.Webhooks;

namespace Provenance.Server.Audit;

/// <summary>Registers the audit on a silo (<see cref="ProvenanceSilo.AddProvenanceSilo"/>).</summary>
internal static class AuditSiloBuilderExtensions
{
    /// <summary>
    /// Adds what <see cref="AuditGrain"/> needs on every silo that may host it: <see cref="AuditSettings"/> (then
    /// <paramref name="configure"/>), the audit store, the three checks, <see cref="AuditRunner"/> and the webhook
    /// fan-out its findings go through; and a start-up task that aligns the grain's reminder with the schedule
    /// (<see cref="IAuditGrain.StartScheduleAsync"/>). Checks registered before this stay and run too.
    /// </summary>
    public static ISiloBuilder AddProvenanceAudit(this ISiloBuilder silo, Action<AuditSettings>? configure)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var services = silo.Services;
        services.AddOptions<AuditSettings>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddWebhookFanOut();
        services.TryAddSingleton<AuditStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuditCheck, LogTreeCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuditCheck, ManifestCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuditCheck, CheckpointCheck>());
        services.TryAddSingleton<AuditRunner>();
        silo.AddStartupTask(static (sp, _) => sp.GetRequiredService<IGrainFactory>().GetAuditGrain().StartScheduleAsync());
        return silo;
    }
}
