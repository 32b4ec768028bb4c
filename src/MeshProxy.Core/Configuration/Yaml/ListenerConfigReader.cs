using System.Net;
using MeshProxy.Gateway;

namespace MeshProxy.Configuration.Yaml;

internal static class ListenerConfigReader
{
    public static ListenerConfig Read(YamlMappingReader map)
    {
        var defaults = new ListenerConfig { Name = "", Address = new IPEndPoint(IPAddress.Any, 0) };
        var listener = new ListenerConfig
        {
            Name = map.RequiredString("name"),
            Address = map.SocketAddress("address") ?? Missing(map, "address"),
            Capture = map.Enum("capture", CaptureMode.None),
            TrafficDirection = map.Has("trafficDirection") ? map.Enum("trafficDirection", TrafficDirection.Outbound) : null,
            Protocol = map.Enum("protocol", ListenerProtocol.Auto),
            DetectionTimeout = map.Duration("detectionTimeout", defaults.DetectionTimeout, min: TimeSpan.FromMilliseconds(1)),
            OnDetectionTimeout = map.Enum("onDetectionTimeout", DetectionTimeoutAction.Close),
            FilterChains = map.MappingList("filterChains", ReadFilterChain),
            OutboundPolicy = map.Enum("outboundPolicy", OutboundPolicy.AllowAny),
            Tls = map.Mapping("tls") is { } tls ? SecurityConfigReader.ReadDownstream(tls) : new DownstreamTlsConfig(),
            Http = map.Mapping("http") is { } http ? ReadHttp(http) : null,
            Tcp = map.Mapping("tcp") is { } tcp ? ReadTcp(tcp) : null,
            AutoPassthrough = map.Mapping("autoPassthrough") is { } autoPassthrough ? ReadAutoPassthrough(autoPassthrough) : null,
        };
        map.ReportUnknownKeys();
        return listener;
    }

    private static AutoPassthroughConfig ReadAutoPassthrough(YamlMappingReader map)
    {
        var defaults = new AutoPassthroughConfig();
        var autoPassthrough = new AutoPassthroughConfig
        {
            Hosts = map.IsPresent("hosts") ? map.List("hosts", item => ReadServerName(item, allowAny: true)) : defaults.Hosts,
            ApplicationProtocols = map.IsPresent("applicationProtocols") ? ReadApplicationProtocols(map) : defaults.ApplicationProtocols,
            IdleTimeout = map.Duration("idleTimeout", defaults.IdleTimeout),
        };
        map.ReportUnknownKeys();
        return autoPassthrough;
    }

    private static string? ReadServerName(YamlNodeReader item, bool allowAny)
    {
        if (item.AsString() is not { } text)
        {
            return null;
        }
        if (ServerNamePattern.Check(text, allowAny) is { } problem)
        {
            item.Error(problem);
            return null;
        }
        return text;
    }

    private static Utilities.EquatableArray<string> ReadApplicationProtocols(YamlMappingReader map) => map.List("applicationProtocols", item =>
    {
        if (item.AsString() is not { } text)
        {
            return null;
        }
        // RFC 7301 §3.1: a protocol name is 1 to 255 bytes; ours are compared as ASCII.
        if (text.Length is 0 or > 255 || !System.Text.Ascii.IsValid(text))
        {
            item.Error($"'{text}' is not an ALPN protocol name (1 to 255 ASCII characters, such as istio or h2)");
            return null;
        }
        return text;
    });

    private static IPEndPoint Missing(YamlMappingReader map, string key)
    {
        if (!map.Has(key))
        {
            map.Diagnostics.Error(map.ChildPath(key), "is required");
        }
        return new IPEndPoint(IPAddress.Any, 0);
    }

    private static FilterChainConfig ReadFilterChain(YamlMappingReader map)
    {
        var chain = new FilterChainConfig
        {
            Name = map.RequiredString("name"),
            Match = map.Mapping("match") is { } match ? ReadMatch(match) : new FilterChainMatchConfig(),
            Tls = map.Mapping("tls") is { } tls ? SecurityConfigReader.ReadDownstream(tls) : null,
            Http = map.Mapping("http") is { } http ? ReadHttp(http) : null,
            Tcp = map.Mapping("tcp") is { } tcp ? ReadTcp(tcp) : null,
        };
        map.ReportUnknownKeys();
        return chain;
    }

    private static FilterChainMatchConfig ReadMatch(YamlMappingReader map)
    {
        var match = new FilterChainMatchConfig
        {
            DestinationPort = map.Has("destinationPort") ? map.Int("destinationPort", 0, 1, 65535) : null,
            DestinationAddresses = map.ValueList("destinationAddresses", item => item.AsString() is { } text ? ParseNetwork(item, text) : null),
            ServerNames = map.List("serverNames", item => ReadServerName(item, allowAny: false)),
            ApplicationProtocols = ReadApplicationProtocols(map),
        };
        map.ReportUnknownKeys();
        return match;
    }

    private static IPNetwork? ParseNetwork(YamlNodeReader item, string text)
    {
        // A bare address means just that address (/32 or /128).
        var withPrefix = text.Contains('/') ? text : text + (text.Contains(':') ? "/128" : "/32");
        if (IPNetwork.TryParse(withPrefix, out var network))
        {
            return network;
        }
        item.Error($"'{text}' is not an address range; write for example 10.96.0.0/12, 10.0.0.5 or fd00::/8");
        return null;
    }

    private static HttpListenerConfig ReadHttp(YamlMappingReader map)
    {
        var http = new HttpListenerConfig
        {
            RouteTable = map.RequiredString("routeTable"),
            ForwardedHeaders = map.Bool("forwardedHeaders", true),
            GenerateRequestId = map.Bool("generateRequestId", true),
        };
        map.ReportUnknownKeys();
        return http;
    }

    private static TcpListenerConfig ReadTcp(YamlMappingReader map)
    {
        var tcp = new TcpListenerConfig
        {
            Cluster = map.RequiredString("cluster"),
            IdleTimeout = map.Duration("idleTimeout", TimeSpan.FromHours(1)),
        };
        map.ReportUnknownKeys();
        return tcp;
    }
}
