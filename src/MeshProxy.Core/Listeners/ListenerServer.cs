using System.Net;
using MeshProxy.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MeshProxy.Listeners;

/// <summary>
/// One data-plane listener: its own accept loop (<see cref="ListenerAcceptor"/>) and Kestrel server, so that a reload
/// can add, move or remove a listener (draining only that one) while the others keep serving.
/// </summary>
internal sealed class ListenerServer
{
    private readonly KestrelServer _server;
    private readonly ListenerAcceptor _acceptor;
    private readonly ListenOptions _listenOptions;
    private readonly IHttpApplication<HttpContext> _application;

    /// <param name="bindAddress">Usually the configured address; 0.0.0.0 where "[::]" was asked for on a host without IPv6.</param>
    /// <param name="direct">Takes connections straight from accept, without Kestrel (the SNI router of a tls listener).</param>
    /// <param name="entry">The outermost middleware (the SNI router in front of <see cref="ListenerConnectionHandler.Entry"/>).</param>
    public ListenerServer(ListenerConfig config, IPEndPoint bindAddress, IDirectConnectionHandler direct, Func<ConnectionDelegate, ConnectionDelegate> entry,
        ListenerConnectionHandler handler, IHttpApplication<HttpContext> application, IServiceProvider services)
    {
        Config = config;
        _application = application;
        var options = new KestrelServerOptions
        {
            ApplicationServices = services,
            AddServerHeader = false,
            // h2c requests arrive on a connection presented to Kestrel as ALPN "h2" (see PriorKnowledgeHttp2Feature);
            // this keeps their scheme "http" instead of Kestrel rejecting them.
            AllowAlternateSchemes = true,
        };
        ConfigureLimits(options.Limits);
        ListenOptions? listenOptions = null;
        options.Listen(bindAddress, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.Use(entry);
            listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = handler.CreateTlsOptionsAsync });
            listen.Use(handler.CaptureHttp);
            listenOptions = listen;
        });
        _listenOptions = listenOptions!;
        var loggerFactory = services.GetRequiredService<ILoggerFactory>();
        _acceptor = new ListenerAcceptor(config.Name, direct, services.GetRequiredService<IOptions<SocketTransportOptions>>().Value, loggerFactory);
        _server = new KestrelServer(Options.Create(options), _acceptor, loggerFactory);
    }

    public ListenerConfig Config { get; }

    /// <summary>The address actually bound (the real port when the config asked for port 0).</summary>
    public IPEndPoint BoundAddress => _listenOptions.IPEndPoint!;

    public Task StartAsync(CancellationToken cancellationToken) => _server.StartAsync(_application, cancellationToken);

    /// <summary>Stops accepting, lets open connections finish until the token fires, then closes the rest.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_server.StopAsync(cancellationToken), _acceptor.DrainDirectAsync(cancellationToken));
        _server.Dispose();
    }

    /// <summary>Envoy's limits where Kestrel's defaults differ: 60 KiB of headers, no body size or data-rate limits, 1h keep-alive.</summary>
    private static void ConfigureLimits(KestrelServerLimits limits)
    {
        limits.MaxRequestHeadersTotalSize = 60 * 1024;
        limits.MaxRequestLineSize = 60 * 1024;
        limits.MaxRequestBodySize = null;
        limits.MinRequestBodyDataRate = null;
        limits.MinResponseDataRate = null;
        limits.KeepAliveTimeout = TimeSpan.FromHours(1);
        limits.MaxConcurrentConnections = null;
        limits.MaxConcurrentUpgradedConnections = null;
        limits.Http2.MaxRequestHeaderFieldSize = 60 * 1024;
    }
}
