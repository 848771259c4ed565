using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using System.Net;
using Orleans.Dashboard;
using Orleans.Hosting;
using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Epochs;
using Provenance.Grains.Hosting;
using Provenance.Server.Apis;
using Provenance.Server.Audit;
using Provenance.Server.Auth;
using Provenance.Server.Data;
using Provenance.Server.Metrics;
using Provenance.Server.Problems;
using Provenance.Server.Signing;
using Provenance.Server.Timestamping;
using Provenance.Server.Webhooks;
using Provenance.Storage.Postgres;
using Provenance.Timestamping;

namespace Provenance.Server.Hosting;

/// <summary>
/// Composes the server: configuration, database (embedded when no connection string), services, middleware and
/// routes. <c>Program</c> runs what this builds; tests call <see cref="BuildAsync"/> with <c>--urls http://127.0.0.1:0</c>.
/// </summary>
public static class ServerHost
{
    /// <summary>Default listen address when none is configured (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>Kestrel:Endpoints</c>).</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Builds the application, starts the embedded PostgreSQL when needed, applies migrations and, on the first
    /// start, creates the admin key (printed once as <c>Admin API key: &lt;key&gt;</c> and written to
    /// <c>&lt;DataDirectory&gt;/admin-key.txt</c>). The returned application is not started.
    /// </summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Provenance:DataDirectory=...</c>).</param>
    /// <param name="configure">Last-chance changes to the builder (tests replace options here).</param>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var options = builder.Configuration.GetSection(ProvenanceOptions.SectionName).Get<ProvenanceOptions>() ?? new ProvenanceOptions();
        Directory.CreateDirectory(options.ResolvedDataDirectory);
        if (builder.Configuration["urls"] is null && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.Limits.JsonBytes);
        var database = await DatabaseProvisioning.StartAsync(builder.Configuration, options, cancellationToken);
        WebApplication? app = null;
        try
        {
            builder.Services.AddSingleton(_ => database);
            builder.AddProvenanceServices(database.ConnectionString);
            configure?.Invoke(builder);

            app = builder.Build();
            app.Services.GetRequiredService<DatabaseProvisioning>(); // owned by the container from here: disposed (embedded server stopped) with the app
            app.UseProvenancePipeline();
            app.MapProvenanceRoutes();
            await app.InitialiseAsync(cancellationToken);
            return app;
        }
        catch
        {
            // A failed start must not leave an embedded PostgreSQL running.
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            await database.DisposeAsync();
            throw;
        }
    }

    private static void AddProvenanceServices(this WebApplicationBuilder builder, string connectionString)
    {
        var services = builder.Services;
        services.Configure<ProvenanceOptions>(builder.Configuration.GetSection(ProvenanceOptions.SectionName));
        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
            if (ctx.ProblemDetails.Type is null || !ctx.ProblemDetails.Type.StartsWith(ProblemCodes.TypeBase, StringComparison.Ordinal))
            {
                var code = ProblemCodes.CodeOf(status);
                ctx.ProblemDetails.Type = ProblemCodes.TypeUri(code);
                ctx.ProblemDetails.Title = ProblemCodes.TitleOf(code);
            }

            ctx.ProblemDetails.Extensions.Remove("exception");
            ctx.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? ctx.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi();
        services.AddApiKeyAuth();

        var settings = builder.Configuration.GetSection(ProvenanceOptions.SectionName).Get<ProvenanceOptions>() ?? new ProvenanceOptions();
        services.AddOrleansDashboardAuth(settings.ResolvedDataDirectory);
        var anchor = settings.Anchor;
        var cluster = settings.Cluster;
        var advertised = AdvertisedAddress(cluster.AdvertisedAddress);

        builder.UseOrleans(silo => silo
            .ConfigureEndpoints(advertised, PortOrFree(cluster.SiloPort, "SiloPort"), PortOrFree(cluster.GatewayPort, "GatewayPort"), cluster.ListenOnAnyAddress)
            .AddDashboard()
            .AddProvenanceSilo(new ProvenanceSiloSettings
            {
                ConnectionString = connectionString,
                ClusterId = cluster.ClusterId,
                ServiceId = cluster.ServiceId,
                Storage = o =>
                {
                    if (!string.IsNullOrWhiteSpace(settings.NodeName))
                    {
                        o.NodeId = settings.NodeName;
                    }
                },
                Epochs = o =>
                {
                    o.Interval = anchor.IntervalSeconds > 0 ? TimeSpan.FromSeconds(anchor.IntervalSeconds) : null;
                    o.PendingThreshold = anchor.PendingThreshold > 0 ? anchor.PendingThreshold : null;
                },
                Audit = o =>
                {
                    o.IntervalHours = settings.Audit.IntervalHours;
                    o.DailyAtUtc = settings.Audit.DailyAtUtc;
                    o.Cron = settings.Audit.Cron;
                },
            }));
        // The container must not own the storage's parts: PostgresStorage disposes them itself, once, after its writers drain.
        services.Replace(ServiceDescriptor.Singleton<IStateChangeFeed>(sp => new StateChangeFeedView(sp.GetRequiredService<PostgresStorage>().StateChanges)));
        services.AddSingleton<IKeyStore>(sp => sp.GetRequiredService<SigningKeyStores>().ManifestKeys);
        services.AddSingleton<ITimestampAuthorities>(sp => sp.GetRequiredService<TimestampService>());
        services.AddSingleton<GrainCallStatistics>();
        services.AddSingleton<Orleans.IIncomingGrainCallFilter>(sp => sp.GetRequiredService<GrainCallStatistics>());
        services.AddMetrics();
        services.TryAddSingleton<ServerMetrics>();
        services.AddProvenanceMetrics();
        services.AddSingleton<IMetricsRefresher, WebhookMetricsRefresher>();
        services.AddSingleton<IMetricsRefresher, LogMetricsRefresher>();

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ProvenanceOptions>>().Value);
        services.AddSingleton<SigningKeyStores>();
        services.AddKeyedSingleton<IKeyStore>(SigningKeyStores.Manifest, (sp, _) => sp.GetRequiredService<SigningKeyStores>().ManifestKeys);
        services.AddKeyedSingleton<IKeyStore>(SigningKeyStores.Log, (sp, _) => sp.GetRequiredService<SigningKeyStores>().LogKeys);

        services.AddSingleton<ITsaKeyStore>(sp => new FileTsaKeyStore(sp.GetRequiredService<ProvenanceOptions>().Tsa.KeyDirectory ?? Path.Combine(sp.GetRequiredService<ProvenanceOptions>().ResolvedDataDirectory, "tsa")));
        services.AddSingleton(sp => new BuiltInTsa(sp.GetRequiredService<ITsaKeyStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddHttpClient(TsaHttpClientName);
        services.AddSingleton(sp => new Rfc3161Client(sp.GetRequiredService<IHttpClientFactory>().CreateClient(TsaHttpClientName), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Timestamping.TimestampAuthorities>();
        services.AddSingleton<TsaStatistics>();
        services.AddSingleton<TimestampService>();

        services.TryAddSingleton<WebhookStore>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName);
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService<SigningKeyWatcher>();
    }

    /// <summary>The advertised address: an IP address, or a host name resolved once at start (containers).</summary>
    /// <exception cref="InvalidOperationException">The name does not resolve to an IPv4 or IPv6 address.</exception>
    private static IPAddress AdvertisedAddress(string configured)
    {
        if (IPAddress.TryParse(configured, out var address))
        {
            return address;
        }

        try
        {
            return Dns.GetHostAddresses(configured).OrderBy(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 0 : 1).First();
        }
        catch (Exception exception) when (exception is System.Net.Sockets.SocketException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidOperationException($"Provenance:Cluster:AdvertisedAddress '{configured}' is neither an IP address nor a host name that resolves.", exception);
        }
    }

    /// <summary>The configured port, or a free one when it is 0 (tests run many silos on one machine).</summary>
    /// <exception cref="InvalidOperationException">The port is outside 0-65535.</exception>
    private static int PortOrFree(int port, string name)
    {
        if (port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"Provenance:Cluster:{name} must be a TCP port (1-65535, or 0 for any free port); it is {port}.");
        }

        if (port != 0)
        {
            return port;
        }

        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>
    /// The shared wire format of <see cref="ApiJson.Options"/> (the client reads and writes the same), plus one strict
    /// input rule on the server side only: an explicit null for a non-nullable property is refused with its name.
    /// Missing properties are not refused by the serializer (positional records would make optional nullable fields
    /// such as <c>assetId</c> required); the handlers and grains validate them and name the field.
    /// </summary>
    internal static void ConfigureJson(System.Text.Json.JsonSerializerOptions options)
    {
        var shared = ApiJson.Options;
        options.PropertyNamingPolicy = shared.PropertyNamingPolicy;
        options.DictionaryKeyPolicy = shared.DictionaryKeyPolicy;
        options.PropertyNameCaseInsensitive = shared.PropertyNameCaseInsensitive;
        options.DefaultIgnoreCondition = shared.DefaultIgnoreCondition;
        options.NumberHandling = shared.NumberHandling;
        foreach (var converter in shared.Converters)
        {
            options.Converters.Add(converter);
        }

        options.RespectNullableAnnotations = true;
    }

    private const string TsaHttpClientName = "tsa";

    private static void UseProvenancePipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseMiddleware<UploadLimitMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
    }

    private static void MapProvenanceRoutes(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapInfrastructureApi();
        app.MapAdminApi();
        app.MapWebhooksApi();
        app.MapKeysApi();
        app.MapAssetsApi();
        app.MapPromptsApi();
        app.MapSearchApi();
        app.MapEpochsApi();
        app.MapVerifyApi();
        app.MapAuditApi();
        app.MapRuntimeApi();
        app.MapTsaApi();
        app.MapDashboard();
        app.MapOrleansDashboardApi();
    }

    private static async Task InitialiseAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        app.Services.GetRequiredService<PostgresStorage>(); // opens the storage and applies every migration (server tables included)
        await app.Services.GetRequiredService<SigningKeyStores>().EnsureActiveKeysAsync(cancellationToken);
        app.Services.GetRequiredService<BuiltInTsa>(); // creates (first start) or loads the built-in TSA's keys now, not on the first request
        var options = app.Services.GetRequiredService<ProvenanceOptions>();
        _ = AuditSchedule.From(options.Audit); // refuse a bad schedule at start-up, before the silo's start-up task meets it
        if (options.BootstrapAdminKey && await app.Services.GetRequiredService<ApiKeyStore>().BootstrapAsync(cancellationToken) is { } admin)
        {
            var path = Path.Combine(options.ResolvedDataDirectory, "admin-key.txt");
            await SecretFile.WriteAsync(path, admin.Secret + "\n", cancellationToken);
            Console.Out.WriteLine($"Admin API key: {admin.Secret}");
            Console.Out.Flush();
        }
    }
}
