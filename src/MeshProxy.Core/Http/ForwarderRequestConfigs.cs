using System.Collections.Concurrent;
using System.Net;
using MeshProxy.Configuration;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace MeshProxy.Http;

/// <summary>
/// YARP request configs, shared rather than built per request: one per (idle timeout, upstream HTTP version).
/// The version is exact, so the upstream sees the protocol the cluster asks for (by default the client's own).
/// </summary>
internal static class ForwarderRequestConfigs
{
    private static readonly ConcurrentDictionary<(TimeSpan IdleTimeout, bool Http2), ForwarderRequestConfig> Cache = new();

    public static ForwarderRequestConfig For(TimeSpan idleTimeout, UpstreamHttpProtocol upstreamProtocol, string downstreamProtocol)
    {
        var http2 = upstreamProtocol switch
        {
            UpstreamHttpProtocol.Http2 => true,
            UpstreamHttpProtocol.Http1 => false,
            _ => HttpProtocol.IsHttp2(downstreamProtocol) || HttpProtocol.IsHttp3(downstreamProtocol),
        };
        return Cache.GetOrAdd((idleTimeout, http2), static key => new ForwarderRequestConfig
        {
            ActivityTimeout = key.IdleTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : key.IdleTimeout,
            Version = key.Http2 ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
    }
}
