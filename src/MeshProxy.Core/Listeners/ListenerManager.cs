using System.Net;
using System.Net.Sockets;
using MeshProxy.Configuration;
using MeshProxy.Gateway;
using MeshProxy.Http;
using MeshProxy.Runtime;
using MeshProxy.Security;
using MeshProxy.Security.Authorization;
using MeshProxy.Tcp;
using MeshProxy.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Listeners;

/// <summary>
/// Keeps one running <see cref="ListenerServer"/> per configured listener. On a reload it binds new or moved
/// listeners before the new config takes effect (so a port that cannot be bound rejects the config), and drains
/// removed ones afterwards. Listeners whose address did not change keep running; they read the rest of their
/// config from each connection's snapshot.
/// </summary>
internal sealed partial class ListenerManager
{
    private readonly ConfigManager _configManager;
    private readonly TcpProxy _tcpProxy;
    private readonly StatsRegistry _stats;
    private readonly ProxyHttpApplication _application;
    private readonly MeshIdentity _identity;
    private readonly InboundAuthorization _authorization;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<ListenerManager> _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private Dictionary<string, ListenerServer> _running = new(StringComparer.Ordinal);
    private TimeSpan _drainTimeout = TimeSpan.FromSeconds(15);

    public ListenerManager(ConfigManager configManager, TcpProxy tcpProxy, StatsRegistry stats, ProxyHttpApplication application, MeshIdentity identity,
        InboundAuthorization authorization, IServiceProvider services, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _identity = identity;
        _authorization = authorization;
        _configManager = configManager;
        _tcpProxy = tcpProxy;
        _stats = stats;
        _application = application;
        _services = services;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ListenerManager>();
    }

    /// <summary>Whether every configured listener is bound and serving.</summary>
    public bool AllListenersUp { get; private set; }

    /// <summary>Bound addresses by listener name (with real ports when the config asked for port 0).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> BoundAddresses
        => _running.ToDictionary(pair => pair.Key, pair => pair.Value.BoundAddress, StringComparer.Ordinal);

    /// <summary>
    /// Binds every listener of <paramref name="config"/> that is not already running at the same address.
    /// On failure, the listeners started by this call are stopped again and the exception propagates.
    /// </summary>
    public async Task<ListenerChanges> BindAsync(ProxyConfig config, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var started = new List<ListenerServer>();
            try
            {
                foreach (var listener in config.Listeners)
                {
                    if (_running.TryGetValue(listener.Name, out var existing) && existing.Config.Address.Equals(listener.Address))
                    {
                        continue;
                    }
                    ListenerServer server;
                    try
                    {
                        server = await StartServerAsync(listener, listener.Address, cancellationToken);
                    }
                    catch (SocketException ex) when (listener.Address.Address.Equals(IPAddress.IPv6Any) && ex.SocketErrorCode == SocketError.AddressFamilyNotSupported)
                    {
                        // "[::]" means "every address"; a host without IPv6 still has every IPv4 address.
                        server = await StartServerAsync(listener, new IPEndPoint(IPAddress.Any, listener.Address.Port), cancellationToken);
                    }
                    started.Add(server);
                    Log.Started(_logger, listener.Name, server.BoundAddress);
                }
            }
            catch
            {
                foreach (var server in started)
                {
                    await server.StopAsync(CancellationToken.None);
                }
                throw;
            }

            var next = new Dictionary<string, ListenerServer>(_running, StringComparer.Ordinal);
            var replaced = new List<ListenerServer>();
            foreach (var server in started)
            {
                if (next.Remove(server.Config.Name, out var old))
                {
                    replaced.Add(old);
                }
                next[server.Config.Name] = server;
            }
            var wanted = config.Listeners.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var name in next.Keys.Where(n => !wanted.Contains(n)).ToList())
            {
                replaced.Add(next[name]);
                next.Remove(name);
            }
            _running = next;
            _drainTimeout = config.Admin.DrainTimeout;
            AllListenersUp = true;
            return new ListenerChanges(replaced);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<ListenerServer> StartServerAsync(ListenerConfig listener, IPEndPoint bindAddress, CancellationToken cancellationToken)
    {
        var handler = new ListenerConnectionHandler(listener.Name, _configManager, _tcpProxy, _stats.Listener(listener.Name), _identity, _authorization, _timeProvider,
            _loggerFactory.CreateLogger("MeshProxy.Listeners." + listener.Name));
        var router = ActivatorUtilities.CreateInstance<SniRouterConnectionHandler>(_services, listener);
        var server = new ListenerServer(listener, bindAddress, router, next => router.Entry(handler.Entry(next)), handler, _application, _services);
        try
        {
            await server.StartAsync(cancellationToken);
            return server;
        }
        catch (Exception ex) when (ex is not SocketException { SocketErrorCode: SocketError.AddressFamilyNotSupported })
        {
            Log.BindFailed(_logger, listener.Name, listener.Address, ex.Message);
            throw new ListenerBindException(listener, ex);
        }
    }

    /// <summary>Drains listeners that a reload removed or moved, in the background, within the drain timeout.</summary>
    public Task RetireAsync(ListenerChanges changes)
        => Task.WhenAll(changes.Retired.Select(server => StopOneAsync(server, _drainTimeout)));

    /// <summary>Stops every listener: no new connections; open ones get the drain timeout to finish.</summary>
    public async Task DrainAllAsync(TimeSpan drainTimeout)
    {
        await _lock.WaitAsync();
        try
        {
            AllListenersUp = false;
            await Task.WhenAll(_running.Values.Select(server => StopOneAsync(server, drainTimeout)));
            _running = new Dictionary<string, ListenerServer>(StringComparer.Ordinal);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task StopOneAsync(ListenerServer server, TimeSpan drainTimeout)
    {
        using var deadline = new CancellationTokenSource(drainTimeout, _timeProvider);
        await server.StopAsync(deadline.Token);
        Log.Stopped(_logger, server.Config.Name, server.BoundAddress);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ListenerStarted, Level = LogLevel.Information, Message = "Listener {Listener} is listening on {Address}")]
        public static partial void Started(ILogger logger, string listener, IPEndPoint address);

        [LoggerMessage(EventId = EventIds.ListenerStopped, Level = LogLevel.Information, Message = "Listener {Listener} on {Address} has stopped")]
        public static partial void Stopped(ILogger logger, string listener, IPEndPoint address);

        [LoggerMessage(EventId = EventIds.ListenerBindFailed, Level = LogLevel.Error, Message = "Listener {Listener} cannot listen on {Address}: {Reason}")]
        public static partial void BindFailed(ILogger logger, string listener, IPEndPoint address, string reason);
    }
}

/// <summary>Listeners a reload replaced, to be drained once the new config is in effect.</summary>
internal sealed record ListenerChanges(IReadOnlyList<ListenerServer> Retired);

/// <summary>A listener could not bind its address.</summary>
public sealed class ListenerBindException : Exception
{
    public ListenerBindException(ListenerConfig listener, Exception inner)
        : base($"listener '{listener.Name}' cannot listen on {listener.Address}: {inner.Message}", inner)
    {
        Listener = listener;
    }

    public ListenerConfig Listener { get; }
}
