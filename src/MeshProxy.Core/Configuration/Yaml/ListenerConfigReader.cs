using System.Net;

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
            Protocol = map.Enum("protocol", ListenerProtocol.Auto),
            DetectionTimeout = map.Duration("detectionTimeout", defaults.DetectionTimeout, min: TimeSpan.FromMilliseconds(1)),
            OnDetectionTimeout = map.Enum("onDetectionTimeout", DetectionTimeoutAction.Close),
            Http = map.Mapping("http") is { } http ? ReadHttp(http) : null,
            Tcp = map.Mapping("tcp") is { } tcp ? ReadTcp(tcp) : null,
        };
        map.ReportUnknownKeys();
        return listener;
    }

    private static IPEndPoint Missing(YamlMappingReader map, string key)
    {
        if (!map.Has(key))
        {
            map.Diagnostics.Error(map.ChildPath(key), "is required");
        }
        return new IPEndPoint(IPAddress.Any, 0);
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
