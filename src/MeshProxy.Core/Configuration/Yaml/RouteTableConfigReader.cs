namespace MeshProxy.Configuration.Yaml;

internal static class RouteTableConfigReader
{
    public static RouteTableConfig Read(YamlMappingReader map)
    {
        var table = new RouteTableConfig
        {
            Name = map.RequiredString("name"),
            VirtualHosts = map.MappingList("virtualHosts", ReadVirtualHost),
        };
        map.ReportUnknownKeys();
        return table;
    }

    private static VirtualHostConfig ReadVirtualHost(YamlMappingReader map)
    {
        var virtualHost = new VirtualHostConfig
        {
            Name = map.RequiredString("name"),
            Domains = map.StringList("domains"),
            Routes = map.MappingList("routes", ReadRoute),
            RetryPolicy = map.Mapping("retryPolicy") is { } retry ? ResilienceConfigReader.ReadRetryPolicy(retry) : null,
            HedgePolicy = map.Mapping("hedgePolicy") is { } hedge ? ResilienceConfigReader.ReadHedgePolicy(hedge) : null,
            IncludeAttemptCount = map.Bool("includeAttemptCount", false),
        };
        map.ReportUnknownKeys();
        return virtualHost;
    }

    private static RouteConfig ReadRoute(YamlMappingReader map)
    {
        var defaults = new RouteConfig();
        var route = new RouteConfig
        {
            Name = map.OptionalString("name"),
            Match = map.Mapping("match") is { } match ? ReadMatch(match) : new RouteMatchConfig(),
            Cluster = map.OptionalString("cluster"),
            WeightedClusters = map.MappingList("weightedClusters", ReadWeightedCluster),
            DirectResponse = map.Mapping("directResponse") is { } direct ? ReadDirectResponse(direct) : null,
            Timeout = map.Duration("timeout", defaults.Timeout),
            IdleTimeout = map.Duration("idleTimeout", defaults.IdleTimeout),
            MaxStreamDuration = map.Duration("maxStreamDuration", TimeSpan.Zero),
            RetryPolicy = map.Mapping("retryPolicy") is { } retry ? ResilienceConfigReader.ReadRetryPolicy(retry) : null,
            HedgePolicy = map.Mapping("hedgePolicy") is { } hedge ? ResilienceConfigReader.ReadHedgePolicy(hedge) : null,
            BufferLimitBytes = map.Int("bufferLimitBytes", defaults.BufferLimitBytes, 0, int.MaxValue),
            ExpectedTimeoutHeader = map.Bool("expectedTimeoutHeader", false),
            Priority = map.Enum("priority", RoutingPriority.Default),
        };
        map.ReportUnknownKeys();
        return route;
    }

    private static RouteMatchConfig ReadMatch(YamlMappingReader map)
    {
        var match = new RouteMatchConfig
        {
            Prefix = map.OptionalString("prefix"),
            Path = map.OptionalString("path"),
            CaseSensitive = map.Bool("caseSensitive", true),
            Headers = map.MappingList("headers", ReadHeaderMatch),
        };
        map.ReportUnknownKeys();
        return match;
    }

    public static HeaderMatchConfig ReadHeaderMatch(YamlMappingReader map)
    {
        var header = new HeaderMatchConfig
        {
            Name = map.RequiredString("name"),
            Exact = map.OptionalString("exact"),
            Prefix = map.OptionalString("prefix"),
            Present = map.OptionalBool("present"),
            Invert = map.Bool("invert", false),
        };
        map.ReportUnknownKeys();
        return header;
    }

    private static DirectResponseConfig ReadDirectResponse(YamlMappingReader map)
    {
        if (!map.Has("status"))
        {
            map.Diagnostics.Error(map.ChildPath("status"), "is required");
        }
        var response = new DirectResponseConfig
        {
            Status = map.Int("status", 200, 200, 599),
            Body = map.OptionalString("body") ?? "",
        };
        map.ReportUnknownKeys();
        return response;
    }

    private static WeightedClusterConfig ReadWeightedCluster(YamlMappingReader map)
    {
        var arm = new WeightedClusterConfig
        {
            Cluster = map.RequiredString("cluster"),
            Weight = map.Int("weight", 0, 0, 1_000_000),
        };
        if (!map.Has("weight"))
        {
            map.Diagnostics.Error(map.ChildPath("weight"), "is required");
        }
        map.ReportUnknownKeys();
        return arm;
    }
}
