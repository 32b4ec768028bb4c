using System.Net;
using MeshProxy.Configuration;

namespace MeshProxy.Upstream;

/// <summary>The runtime state of one upstream host: its address, health, and live counters. Thread-safe.</summary>
public sealed class EndpointState
{
    private int _activeRequests;
    private long _totalRequests;
    private long _failedRequests;

    public EndpointState(EndpointConfig config)
    {
        Config = config;
        Address = config.Address;
        DestinationPrefix = "http://" + config.Address;
    }

    /// <summary>An endpoint made up on the spot for a connection's original destination.</summary>
    public static EndpointState ForOriginalDestination(IPEndPoint address) => new(new EndpointConfig { Address = address });

    public EndpointConfig Config { get; }

    public IPEndPoint Address { get; }

    /// <summary>"http://ip:port", the prefix handed to the forwarder; cached so requests do not format it.</summary>
    public string DestinationPrefix { get; }

    public int ActiveRequests => Volatile.Read(ref _activeRequests);

    public long TotalRequests => Interlocked.Read(ref _totalRequests);

    public long FailedRequests => Interlocked.Read(ref _failedRequests);

    public void RequestStarted()
    {
        Interlocked.Increment(ref _activeRequests);
        Interlocked.Increment(ref _totalRequests);
    }

    public void RequestFinished(bool failed)
    {
        Interlocked.Decrement(ref _activeRequests);
        if (failed)
        {
            Interlocked.Increment(ref _failedRequests);
        }
    }

    public override string ToString() => Address.ToString();
}
