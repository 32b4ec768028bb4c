using System.Net;
using MeshProxy.Admin;
using MeshProxy.Configuration;
using MeshProxy.Http;
using MeshProxy.Listeners;
using MeshProxy.Runtime;
using MeshProxy.Security;
using MeshProxy.Security.Authorization;
using MeshProxy.Tcp;
using MeshProxy.Telemetry;
using MeshProxy.Telemetry.AccessLog;
using MeshProxy.Telemetry.Tracing;
using MeshProxy.Utilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Hosting;

/// <summary>
/// A running meshproxy: the composition root of the data plane. A slim ASP.NET host serves the admin, readiness and
/// metrics endpoints and owns the services; each data-plane listener runs its own Kestrel server beside it
/// (see <see cref="ListenerManager"/>).
/// </summary>
public sealed class ProxyHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly BoundAddresses _adminAddresses;
    private Task? _shutdown;

    private ProxyHost(WebApplication app, BoundAddresses adminAddresses)
    {
        _app = app;
        _adminAddresses = adminAddresses;
    }

    public static ProxyHost Create(ProxyHostOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "meshproxy", Args = [] });
        builder.WebHost.UseKestrelHttpsConfiguration();
        ConfigureLogging(builder.Logging, options.LogLevel);
        options.ConfigureLogging?.Invoke(builder.Logging);

        var config = options.Config;
        var addresses = new BoundAddresses();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            addresses.Admin = Listen(kestrel, config.Admin.Address, ServerRoleFeature.Admin);
            addresses.Readiness = config.Admin.ReadinessAddress is { } readiness ? Listen(kestrel, readiness, ServerRoleFeature.Readiness) : null;
            addresses.Metrics = config.Admin.MetricsAddress is { } metrics ? Listen(kestrel, metrics, ServerRoleFeature.Metrics) : null;
        });

        var services = builder.Services;
        services.Configure<HostOptions>(host => host.ShutdownTimeout = config.Admin.DrainTimeout + TimeSpan.FromSeconds(10));
        services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        if (!options.HandleSignals)
        {
            services.AddSingleton<IHostLifetime, NoSignalsLifetime>();
        }
        if (options.IoScheduling == IoScheduling.EventLoop)
        {
            // Kestrel's receive loop and the connection's pipes continue on the thread that completed the read,
            // instead of going through its I/O queues and the thread pool.
            services.Configure<SocketTransportOptions>(transport => transport.UnsafePreferInlineScheduling = true);
        }
        AddProxyServices(services, config);
        if (options.ConfigPath is { } path)
        {
            services.AddHostedService(sp => ActivatorUtilities.CreateInstance<ConfigFileWatcher>(sp, path));
        }

        var app = builder.Build();
        var admin = app.Services.GetRequiredService<AdminRequestHandler>();
        app.Run(admin.HandleAsync);
        return new ProxyHost(app, addresses);
    }

    private static void AddProxyServices(IServiceCollection services, ProxyConfig config)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRandomFactory>(ThreadLocalRandomFactory.Instance);
        services.TryAddSingleton<IUpstreamHttpEngineFactory, SocketsHttpEngineFactory>();
        services.AddHttpForwarder();
        services.AddSingleton(config);
        services.AddSingleton<StatsRegistry>();
        // Before ProxyStartup, so the identity sources load before listeners take connections.
        services.AddSingleton(sp => new MeshIdentity(config, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<MeshIdentity>());
        services.AddSingleton<UpstreamTlsConnector>();
        services.AddSingleton<InboundAuthorization>();
        services.AddSingleton<ConfigManager>();
        services.AddSingleton<ConfigReloader>();
        services.AddSingleton<HttpProxy>();
        services.AddSingleton<ProxyHttpApplication>();
        services.AddSingleton<TcpProxy>();
        services.AddSingleton<ListenerManager>();
        services.AddSingleton<ProxyMetrics>();
        services.AddSingleton(new AccessLogWriter(config.Telemetry.AccessLog));
        services.AddHostedService(sp => sp.GetRequiredService<AccessLogWriter>());
        services.AddSingleton(sp => new RequestTracer(sp.GetRequiredService<ProxyConfig>()));
        services.AddSingleton(sp => new ProxyTelemetry(sp.GetRequiredService<ProxyMetrics>(), sp.GetRequiredService<AccessLogWriter>(),
            sp.GetRequiredService<RequestTracer>(), sp.GetRequiredService<StatsRegistry>(), sp.GetRequiredService<MeshIdentity>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DrainController>();
        services.AddSingleton<AdminRequestHandler>();
        services.AddHostedService(sp => sp.GetRequiredService<DrainController>());
        services.AddHostedService<ProxyStartup>();
        services.AddHostedService<Health.ClusterHealthManager>();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, LogLevel level)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
        });
        logging.SetMinimumLevel(level);
        // The forwarder logs every request at Information; our own access log covers requests.
        logging.AddFilter("Yarp", LogLevel.Warning);
        logging.AddFilter("Microsoft", LogLevel.Warning);
    }

    private static ListenOptions? Listen(KestrelServerOptions kestrel, IPEndPoint address, ServerRoleFeature role)
    {
        ListenOptions? bound = null;
        kestrel.Listen(address, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection =>
            {
                connection.Features.Set(role);
                return next(connection);
            });
            bound = listen;
        });
        return bound;
    }

    public IServiceProvider Services => _app.Services;

    public ConfigManager ConfigManager => _app.Services.GetRequiredService<ConfigManager>();

    public IPEndPoint AdminAddress => _adminAddresses.Admin?.IPEndPoint ?? throw new InvalidOperationException("The admin server is not bound.");

    public IPEndPoint? ReadinessAddress => _adminAddresses.Readiness?.IPEndPoint;

    public IPEndPoint? MetricsAddress => _adminAddresses.Metrics?.IPEndPoint;

    /// <summary>Where a data-plane listener is bound (the real port when its config said 0).</summary>
    public IPEndPoint GetListenerAddress(string listenerName) => _app.Services.GetRequiredService<ListenerManager>().BoundAddresses[listenerName];

    /// <summary>
    /// Starts the proxy. From then on a shutdown request (POST /quitquitquit, SIGTERM) drains and stops it on its own,
    /// whether or not anyone awaits <see cref="WaitForShutdownAsync"/>.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        _shutdown = _app.WaitForShutdownAsync(CancellationToken.None);
    }

    /// <summary>Drains and stops, as POST /quitquitquit does.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Completes when the proxy has stopped after a shutdown request.</summary>
    public Task WaitForShutdownAsync() => _shutdown ?? throw new InvalidOperationException("The proxy has not been started.");

    /// <summary>Validates and applies a config as a reload would. Throws <see cref="ListenerBindException"/> when a new listener cannot bind.</summary>
    public Task ApplyConfigAsync(ProxyConfig config, CancellationToken cancellationToken = default)
        => _app.Services.GetRequiredService<ConfigReloader>().ApplyAsync(config, cancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed class BoundAddresses
    {
        public ListenOptions? Admin { get; set; }

        public ListenOptions? Readiness { get; set; }

        public ListenOptions? Metrics { get; set; }
    }
}
