namespace MeshProxy.Gateway;

/// <summary>Connections one SNI route has passed through to its cluster. Thread-safe.</summary>
public sealed class SniRouteStats
{
    private long _connectionsTotal;
    private long _connectionsActive;

    internal SniRouteStats(string route, string cluster)
    {
        Route = route;
        Cluster = cluster;
    }

    /// <summary>The filter chain's name; for AUTO_PASSTHROUGH the server name itself (as istiod names those chains); "default" for the listener's tcp.</summary>
    public string Route { get; }

    public string Cluster { get; }

    public long ConnectionsTotal => Interlocked.Read(ref _connectionsTotal);

    public long ConnectionsActive => Interlocked.Read(ref _connectionsActive);

    internal void OnOpened()
    {
        Interlocked.Increment(ref _connectionsTotal);
        Interlocked.Increment(ref _connectionsActive);
    }

    internal void OnClosed() => Interlocked.Decrement(ref _connectionsActive);
}
