using System.Text.Json;
using MeshProxy.Configuration;
using MeshProxy.Utilities;

namespace MeshProxy.Admin;

/// <summary>
/// Writes the effective config (defaults filled in) as JSON for /config_dump, in the same shape and units as the
/// YAML file, so an operator can compare the two. Written by hand with Utf8JsonWriter: no reflection.
/// </summary>
internal static class ConfigDumpWriter
{
    public static void Write(Utf8JsonWriter json, ProxyConfig config, long version)
    {
        json.WriteStartObject();
        json.WriteNumber("version", version);
        json.WriteStartObject("node");
        json.WriteString("id", config.Node.Id);
        json.WriteString("service", config.Node.Service);
        json.WriteString("namespace", config.Node.Namespace);
        WriteLocality(json, "locality", config.Node.Locality);
        json.WriteString("localCluster", config.Node.LocalCluster);
        json.WriteEndObject();

        json.WriteStartObject("admin");
        json.WriteString("address", config.Admin.Address.ToString());
        json.WriteString("readinessAddress", config.Admin.ReadinessAddress?.ToString());
        json.WriteString("metricsAddress", config.Admin.MetricsAddress?.ToString());
        json.WriteString("drainTimeout", Durations.Format(config.Admin.DrainTimeout));
        json.WriteEndObject();

        json.WriteStartArray("listeners");
        foreach (var listener in config.Listeners)
        {
            WriteListener(json, listener);
        }
        json.WriteEndArray();

        json.WriteStartArray("routeTables");
        foreach (var table in config.RouteTables)
        {
            WriteRouteTable(json, table);
        }
        json.WriteEndArray();

        json.WriteStartArray("clusters");
        foreach (var cluster in config.Clusters)
        {
            WriteCluster(json, cluster);
        }
        json.WriteEndArray();
        SecurityDumpWriter.WriteIdentityAndAuthorization(json, config);
        json.WriteEndObject();
    }

    private static void WriteListener(Utf8JsonWriter json, ListenerConfig listener)
    {
        json.WriteStartObject();
        json.WriteString("name", listener.Name);
        json.WriteString("address", listener.Address.ToString());
        json.WriteString("capture", Camel(listener.Capture));
        json.WriteString("protocol", Camel(listener.Protocol));
        json.WriteString("detectionTimeout", Durations.Format(listener.DetectionTimeout));
        json.WriteString("onDetectionTimeout", Camel(listener.OnDetectionTimeout));
        json.WriteString("outboundPolicy", Camel(listener.OutboundPolicy));
        json.WriteStartArray("filterChains");
        foreach (var chain in listener.FilterChains)
        {
            json.WriteStartObject();
            json.WriteString("name", chain.Name);
            json.WriteStartObject("match");
            if (chain.Match.DestinationPort is { } port)
            {
                json.WriteNumber("destinationPort", port);
            }
            json.WriteStartArray("destinationAddresses");
            foreach (var network in chain.Match.DestinationAddresses)
            {
                json.WriteStringValue(network.ToString());
            }
            json.WriteEndArray();
            WriteStrings(json, "serverNames", chain.Match.ServerNames);
            WriteStrings(json, "applicationProtocols", chain.Match.ApplicationProtocols);
            json.WriteEndObject();
            SecurityDumpWriter.WriteDownstreamTls(json, chain.Tls);
            WriteHandling(json, chain.Http, chain.Tcp);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        SecurityDumpWriter.WriteDownstreamTls(json, listener.Tls);
        WriteHandling(json, listener.Http, listener.Tcp);
        if (listener.AutoPassthrough is { } autoPassthrough)
        {
            json.WriteStartObject("autoPassthrough");
            WriteStrings(json, "hosts", autoPassthrough.Hosts);
            WriteStrings(json, "applicationProtocols", autoPassthrough.ApplicationProtocols);
            json.WriteString("idleTimeout", Durations.Format(autoPassthrough.IdleTimeout));
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, EquatableArray<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }

    private static void WriteHandling(Utf8JsonWriter json, HttpListenerConfig? http, TcpListenerConfig? tcp)
    {
        if (http is not null)
        {
            json.WriteStartObject("http");
            json.WriteString("routeTable", http.RouteTable);
            json.WriteBoolean("forwardedHeaders", http.ForwardedHeaders);
            json.WriteBoolean("generateRequestId", http.GenerateRequestId);
            json.WriteEndObject();
        }
        if (tcp is not null)
        {
            json.WriteStartObject("tcp");
            json.WriteString("cluster", tcp.Cluster);
            json.WriteString("idleTimeout", Durations.Format(tcp.IdleTimeout));
            json.WriteEndObject();
        }
    }

    private static void WriteRouteTable(Utf8JsonWriter json, RouteTableConfig table)
    {
        json.WriteStartObject();
        json.WriteString("name", table.Name);
        json.WriteStartArray("virtualHosts");
        foreach (var virtualHost in table.VirtualHosts)
        {
            json.WriteStartObject();
            json.WriteString("name", virtualHost.Name);
            json.WriteStartArray("domains");
            foreach (var domain in virtualHost.Domains)
            {
                json.WriteStringValue(domain);
            }
            json.WriteEndArray();
            ResilienceDumpWriter.WriteVirtualHost(json, virtualHost);
            json.WriteStartArray("routes");
            foreach (var route in virtualHost.Routes)
            {
                WriteRoute(json, route);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRoute(Utf8JsonWriter json, RouteConfig route)
    {
        json.WriteStartObject();
        if (route.Name is not null)
        {
            json.WriteString("name", route.Name);
        }
        json.WriteStartObject("match");
        if (route.Match.Path is not null)
        {
            json.WriteString("path", route.Match.Path);
        }
        else
        {
            json.WriteString("prefix", route.Match.Prefix ?? "/");
        }
        json.WriteBoolean("caseSensitive", route.Match.CaseSensitive);
        if (!route.Match.Headers.IsEmpty)
        {
            json.WriteStartArray("headers");
            foreach (var header in route.Match.Headers)
            {
                json.WriteStartObject();
                json.WriteString("name", header.Name);
                if (header.Exact is not null)
                {
                    json.WriteString("exact", header.Exact);
                }
                if (header.Prefix is not null)
                {
                    json.WriteString("prefix", header.Prefix);
                }
                if (header.Present is { } present)
                {
                    json.WriteBoolean("present", present);
                }
                json.WriteBoolean("invert", header.Invert);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        if (route.Cluster is not null)
        {
            json.WriteString("cluster", route.Cluster);
        }
        if (!route.WeightedClusters.IsEmpty)
        {
            json.WriteStartArray("weightedClusters");
            foreach (var arm in route.WeightedClusters)
            {
                json.WriteStartObject();
                json.WriteString("cluster", arm.Cluster);
                json.WriteNumber("weight", arm.Weight);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (route.DirectResponse is { } direct)
        {
            json.WriteStartObject("directResponse");
            json.WriteNumber("status", direct.Status);
            json.WriteString("body", direct.Body);
            json.WriteEndObject();
        }
        json.WriteString("timeout", Durations.Format(route.Timeout));
        json.WriteString("idleTimeout", Durations.Format(route.IdleTimeout));
        ResilienceDumpWriter.WriteRoute(json, route);
        json.WriteEndObject();
    }

    private static void WriteCluster(Utf8JsonWriter json, ClusterConfig cluster)
    {
        json.WriteStartObject();
        json.WriteString("name", cluster.Name);
        json.WriteString("service", cluster.Service ?? cluster.Name);
        if (cluster.ServicePort is { } servicePort)
        {
            json.WriteNumber("servicePort", servicePort);
        }
        if (cluster.Subset is not null)
        {
            json.WriteString("subset", cluster.Subset);
        }
        json.WriteString("type", Camel(cluster.Type));
        json.WriteString("connectTimeout", Durations.Format(cluster.ConnectTimeout));
        json.WriteString("idleTimeout", Durations.Format(cluster.IdleTimeout));
        json.WriteString("lbPolicy", cluster.LbPolicy);
        json.WriteString("httpProtocol", Camel(cluster.HttpProtocol));
        SecurityDumpWriter.WriteUpstreamTls(json, cluster);
        WriteAddresses(json, "sourceAddress", cluster.SourceAddresses);
        WriteAddresses(json, "originalDestinationOverride", cluster.OriginalDestinationOverrides);
        json.WriteStartArray("endpoints");
        foreach (var endpoint in cluster.Endpoints)
        {
            json.WriteStartObject();
            json.WriteString("address", endpoint.Address.ToString());
            json.WriteNumber("weight", endpoint.Weight);
            json.WriteNumber("priority", endpoint.Priority);
            WriteLocality(json, "locality", endpoint.Locality);
            if (!endpoint.Metadata.IsEmpty)
            {
                json.WriteStartObject("metadata");
                foreach (var (key, value) in endpoint.Metadata)
                {
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteLoadBalancer(json, cluster.LoadBalancer);
        ResilienceDumpWriter.WriteCircuitBreakers(json, cluster.CircuitBreakers);
        if (cluster.HealthChecks is { } healthChecks)
        {
            WriteHealthChecks(json, healthChecks);
        }
        if (cluster.OutlierDetection is { } outlierDetection)
        {
            WriteOutlierDetection(json, outlierDetection);
        }
        json.WriteEndObject();
    }

    /// <summary>The healthChecks section with every default filled in, in the YAML's names and units.</summary>
    private static void WriteHealthChecks(Utf8JsonWriter json, HealthCheckConfig check)
    {
        json.WriteStartObject("healthChecks");
        json.WriteString("interval", Durations.Format(check.Interval));
        json.WriteString("timeout", Durations.Format(check.Timeout));
        json.WriteNumber("unhealthyThreshold", check.UnhealthyThreshold);
        json.WriteNumber("healthyThreshold", check.HealthyThreshold);
        json.WriteString("noTrafficInterval", Durations.Format(check.NoTrafficInterval));
        json.WriteString("initialJitter", Durations.Format(check.InitialJitter));
        if (check.Http is { } http)
        {
            json.WriteStartObject("http");
            json.WriteString("path", http.Path);
            json.WriteString("host", http.Host);
            json.WriteStartArray("expectedStatuses");
            foreach (var range in http.ExpectedStatuses)
            {
                json.WriteStartObject();
                json.WriteNumber("start", range.Start);
                json.WriteNumber("end", range.End);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        if (check.Tcp is { } tcp)
        {
            json.WriteStartObject("tcp");
            json.WriteString("send", Convert.ToHexStringLower(tcp.Send.AsImmutableArray().AsSpan()));
            json.WriteStartArray("receive");
            foreach (var block in tcp.Receive)
            {
                json.WriteStringValue(Convert.ToHexStringLower(block.AsImmutableArray().AsSpan()));
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    /// <summary>The outlierDetection section with every default filled in (maxEjectionTime as it applies).</summary>
    private static void WriteOutlierDetection(Utf8JsonWriter json, OutlierDetectionConfig od)
    {
        json.WriteStartObject("outlierDetection");
        json.WriteNumber("consecutive5xx", od.Consecutive5xx);
        json.WriteNumber("consecutiveGatewayFailure", od.ConsecutiveGatewayFailure);
        json.WriteNumber("consecutiveLocalOriginFailure", od.ConsecutiveLocalOriginFailure);
        json.WriteString("interval", Durations.Format(od.Interval));
        json.WriteString("baseEjectionTime", Durations.Format(od.BaseEjectionTime));
        json.WriteString("maxEjectionTime", Durations.Format(od.EffectiveMaxEjectionTime));
        json.WriteString("maxEjectionTimeJitter", Durations.Format(od.MaxEjectionTimeJitter));
        json.WriteNumber("maxEjectionPercent", od.MaxEjectionPercent);
        json.WriteBoolean("alwaysEjectOneHost", od.AlwaysEjectOneHost);
        json.WriteNumber("enforcingConsecutive5xx", od.EnforcingConsecutive5xx);
        json.WriteNumber("enforcingConsecutiveGatewayFailure", od.EnforcingConsecutiveGatewayFailure);
        json.WriteNumber("enforcingConsecutiveLocalOriginFailure", od.EnforcingConsecutiveLocalOriginFailure);
        json.WriteNumber("enforcingSuccessRate", od.EnforcingSuccessRate);
        json.WriteNumber("enforcingLocalOriginSuccessRate", od.EnforcingLocalOriginSuccessRate);
        json.WriteNumber("successRateMinimumHosts", od.SuccessRateMinimumHosts);
        json.WriteNumber("successRateRequestVolume", od.SuccessRateRequestVolume);
        json.WriteNumber("successRateStdevFactor", od.SuccessRateStdevFactor);
        json.WriteNumber("failurePercentageThreshold", od.FailurePercentageThreshold);
        json.WriteNumber("enforcingFailurePercentage", od.EnforcingFailurePercentage);
        json.WriteNumber("enforcingFailurePercentageLocalOrigin", od.EnforcingFailurePercentageLocalOrigin);
        json.WriteNumber("failurePercentageMinimumHosts", od.FailurePercentageMinimumHosts);
        json.WriteNumber("failurePercentageRequestVolume", od.FailurePercentageRequestVolume);
        json.WriteBoolean("splitExternalLocalOriginErrors", od.SplitExternalLocalOriginErrors);
        json.WriteBoolean("successfulActiveHealthCheckUnejectHost", od.SuccessfulActiveHealthCheckUnejectHost);
        json.WriteEndObject();
    }

    /// <summary>The loadBalancer section with every default filled in, in the YAML's names and units.</summary>
    private static void WriteLoadBalancer(Utf8JsonWriter json, LoadBalancerConfig lb)
    {
        json.WriteStartObject("loadBalancer");
        json.WriteNumber("overprovisioningFactor", lb.OverprovisioningFactor);
        json.WriteNumber("panicThreshold", lb.PanicThreshold);
        json.WriteBoolean("failTrafficOnPanic", lb.FailTrafficOnPanic);
        json.WriteBoolean("weightedPriorityHealth", lb.WeightedPriorityHealth);
        json.WriteString("localityLb", Camel(lb.LocalityLb));
        var zoneAware = lb.ZoneAware ?? ZoneAwareConfig.Default;
        json.WriteStartObject("zoneAware");
        json.WriteNumber("routingEnabled", zoneAware.RoutingEnabled);
        json.WriteNumber("minClusterSize", zoneAware.MinClusterSize);
        json.WriteEndObject();
        json.WriteStartObject("localityPriorities");
        json.WriteBoolean("enabled", lb.LocalityPriorities?.Enabled ?? false);
        json.WriteStartArray("failoverPriority");
        foreach (var key in lb.LocalityPriorities?.FailoverPriority ?? EquatableArray<string>.Empty)
        {
            json.WriteStringValue(key);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("distribute");
        foreach (var rule in lb.Distribute)
        {
            json.WriteStartObject();
            json.WriteString("from", rule.From);
            json.WriteStartObject("to");
            foreach (var (pattern, percent) in rule.To)
            {
                json.WriteNumber(pattern, percent);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        var leastRequest = lb.LeastRequest ?? LeastRequestConfig.Default;
        json.WriteStartObject("leastRequest");
        json.WriteNumber("choiceCount", leastRequest.ChoiceCount);
        json.WriteNumber("activeRequestBias", leastRequest.ActiveRequestBias);
        json.WriteEndObject();
        if (lb.Hash is { } hash)
        {
            json.WriteStartObject("hash");
            if (hash.Header is not null)
            {
                json.WriteString("header", hash.Header);
            }
            if (hash.Cookie is not null)
            {
                json.WriteString("cookie", hash.Cookie);
            }
            json.WriteBoolean("sourceIp", hash.SourceIp);
            json.WriteEndObject();
        }
        var ringHash = lb.RingHash ?? RingHashConfig.Default;
        json.WriteStartObject("ringHash");
        json.WriteNumber("minimumRingSize", ringHash.MinimumRingSize);
        json.WriteNumber("maximumRingSize", ringHash.MaximumRingSize);
        json.WriteEndObject();
        json.WriteStartObject("maglev");
        json.WriteNumber("tableSize", (lb.Maglev ?? MaglevConfig.Default).TableSize);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteAddresses(Utf8JsonWriter json, string name, EquatableArray<System.Net.IPAddress> addresses)
    {
        json.WriteStartArray(name);
        foreach (var address in addresses)
        {
            json.WriteStringValue(address.ToString());
        }
        json.WriteEndArray();
    }

    private static void WriteLocality(Utf8JsonWriter json, string name, LocalityConfig locality)
    {
        json.WriteStartObject(name);
        json.WriteString("region", locality.Region);
        json.WriteString("zone", locality.Zone);
        json.WriteString("subzone", locality.Subzone);
        json.WriteEndObject();
    }

    internal static string Camel<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
