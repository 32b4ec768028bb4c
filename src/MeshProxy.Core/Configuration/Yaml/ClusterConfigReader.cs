using System.Net;
using MeshProxy.Gateway;

namespace MeshProxy.Configuration.Yaml;

internal static class ClusterConfigReader
{
    public static ClusterConfig Read(YamlMappingReader map)
    {
        var defaults = new ClusterConfig { Name = "" };
        var cluster = new ClusterConfig
        {
            Name = map.RequiredString("name"),
            Service = map.OptionalString("service"),
            ServicePort = map.Has("servicePort") ? map.Int("servicePort", 0, 1, 65535) : null,
            Subset = ReadSubset(map),
            Type = map.Enum("type", ClusterType.Static),
            Tls = map.Mapping("tls") is { } tls ? SecurityConfigReader.ReadUpstream(tls) : null,
            ConnectTimeout = map.Duration("connectTimeout", defaults.ConnectTimeout, min: TimeSpan.FromMilliseconds(1)),
            IdleTimeout = map.Duration("idleTimeout", defaults.IdleTimeout),
            LbPolicy = map.OptionalString("lbPolicy") ?? defaults.LbPolicy,
            HttpProtocol = map.Enum("httpProtocol", UpstreamHttpProtocol.Downstream),
            SourceAddresses = map.IPAddresses("sourceAddress"),
            OriginalDestinationOverrides = map.IPAddresses("originalDestinationOverride"),
            Endpoints = map.MappingList("endpoints", ReadEndpoint),
            LoadBalancer = map.Mapping("loadBalancer") is { } loadBalancer ? LoadBalancerConfigReader.Read(loadBalancer) : LoadBalancerConfig.Default,
            CircuitBreakers = map.Mapping("circuitBreakers") is { } breakers ? ResilienceConfigReader.ReadCircuitBreakers(breakers) : CircuitBreakersConfig.Default,
            HealthChecks = map.Mapping("healthChecks") is { } healthChecks ? HealthCheckConfigReader.Read(healthChecks) : null,
            OutlierDetection = map.Mapping("outlierDetection") is { } outlierDetection ? OutlierDetectionConfigReader.Read(outlierDetection) : null,
        };
        map.ReportUnknownKeys();
        return cluster;
    }

    private static string? ReadSubset(YamlMappingReader map)
    {
        if (map.Take("subset") is not { } item || item.AsString() is not { } subset)
        {
            return null;
        }
        if (!IstioServerName.IsValidSubset(subset))
        {
            item.Error($"'{subset}' is not a subset name: 1 to 63 letters, digits and '-', starting and ending with a letter or digit (a DNS label, as Istio's)");
            return null;
        }
        return subset;
    }

    private static EndpointConfig ReadEndpoint(YamlMappingReader map)
    {
        var address = map.SocketAddress("address");
        if (address is null && !map.Has("address"))
        {
            map.Diagnostics.Error(map.ChildPath("address"), "is required");
        }
        var endpoint = new EndpointConfig
        {
            Address = address ?? new IPEndPoint(IPAddress.None, 0),
            Weight = map.Int("weight", 1, 1, 128),
            Priority = map.Int("priority", 0, 0, 127),
            Locality = map.Mapping("locality") is { } locality ? NodeConfigReader.ReadLocality(locality) : LocalityConfig.None,
            Metadata = map.StringMap("metadata"),
        };
        map.ReportUnknownKeys();
        return endpoint;
    }
}
