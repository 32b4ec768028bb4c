using System.Net;
using MeshProxy.Configuration;
using MeshProxy.Configuration.Validation;
using MeshProxy.Configuration.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Reads a topology file with the config reader's machinery: every error with its line and YAML path, unknown keys
/// refused, and the loadBalancer: sections checked by the same validators as a config file.
/// </summary>
public static class TopologyReader
{
    /// <summary>The name the client's peers get as a cluster (Envoy's local cluster) during validation.</summary>
    private const string PeersCluster = "(client.peers)";

    public static (Topology? Topology, IReadOnlyList<ConfigError> Errors) ReadFile(string path)
    {
        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, [new ConfigError(path, 0, 0, "", $"cannot read the file: {ex.Message}")]);
        }
        return Read(yaml, path);
    }

    public static (Topology? Topology, IReadOnlyList<ConfigError> Errors) Read(string yaml, string sourceName)
    {
        var diagnostics = new ConfigDiagnostics(sourceName);
        var topology = Parse(yaml, diagnostics);
        if (topology is not null && !diagnostics.HasErrors)
        {
            Validate(topology, diagnostics);
        }
        return diagnostics.HasErrors ? (null, diagnostics.Errors) : (topology, []);
    }

    private static Topology? Parse(string yaml, ConfigDiagnostics diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            diagnostics.Error("", (int)ex.Start.Line, (int)ex.Start.Column, $"YAML syntax error: {ex.InnerException?.Message ?? ex.Message}");
            return null;
        }
        if (stream.Documents.Count != 1)
        {
            diagnostics.Error("", "expected exactly one YAML document");
            return null;
        }
        if (new YamlNodeReader(stream.Documents[0].RootNode, "", diagnostics).AsMapping() is not { } root)
        {
            return null;
        }
        var addresses = new AddressSequence();
        var client = root.Mapping("client");
        var locality = client?.Mapping("locality") is { } l ? NodeConfigReader.ReadLocality(l) : LocalityConfig.None;
        var peers = client is not null && client.Has("peers") ? client.List("peers", item => ReadHostGroup(item, addresses, 0)).SelectMany(g => g).ToArray() : null;
        client?.ReportUnknownKeys();
        var clusterIndex = 0;
        var clusters = root.List("clusters", item => item.AsMapping() is { } m ? ReadCluster(m, addresses, ++clusterIndex) : null);
        if (clusters.IsEmpty)
        {
            diagnostics.Error("clusters", "list at least one cluster");
        }
        root.ReportUnknownKeys();
        return new Topology(locality, peers, clusters.ToArray());
    }

    private static Topology.Cluster ReadCluster(YamlMappingReader map, AddressSequence addresses, int clusterNumber)
    {
        var cluster = new Topology.Cluster(
            map.RequiredString("name"),
            map.OptionalString("lbPolicy") ?? LoadBalancingPolicies.RoundRobin,
            map.Mapping("loadBalancer") is { } lb ? LoadBalancerConfigReader.Read(lb) : LoadBalancerConfig.Default,
            map.List("endpoints", item => ReadHostGroup(item, addresses, clusterNumber)).SelectMany(g => g).ToArray());
        map.ReportUnknownKeys();
        return cluster;
    }

    /// <summary>An endpoints entry: one host, or <c>count</c> identical ones with generated addresses.</summary>
    private static Topology.Host[]? ReadHostGroup(YamlNodeReader item, AddressSequence addresses, int clusterNumber)
    {
        if (item.AsMapping() is not { } map)
        {
            return null;
        }
        var count = map.Int("count", 1, 1, 100_000);
        var address = map.SocketAddress("address");
        if (address is not null && count > 1)
        {
            map.Diagnostics.Error(map.ChildPath("address"), "names one host; leave it out when count is above 1 and addresses are generated");
        }
        var template = new EndpointConfig
        {
            Address = new IPEndPoint(IPAddress.None, 0),
            Weight = map.Int("weight", 1, 1, 128),
            Priority = map.Int("priority", 0, 0, 127),
            Locality = map.Mapping("locality") is { } locality ? NodeConfigReader.ReadLocality(locality) : LocalityConfig.None,
            Metadata = map.StringMap("metadata"),
        };
        var health = map.Enum("health", EndpointHealth.Healthy);
        var excluded = map.Bool("excluded", false);
        map.ReportUnknownKeys();
        var hosts = new Topology.Host[count];
        for (var i = 0; i < count; i++)
        {
            hosts[i] = new Topology.Host(template with { Address = address ?? addresses.Next(clusterNumber) }, health, excluded);
        }
        return hosts;
    }

    /// <summary>Checks the clusters as a config file's clusters are checked, with the peers as node.localCluster.</summary>
    private static void Validate(Topology topology, ConfigDiagnostics diagnostics)
    {
        var clusters = topology.Clusters.Select(c => new ClusterConfig
        {
            Name = c.Name,
            LbPolicy = c.LbPolicy,
            LoadBalancer = c.LoadBalancer,
            Endpoints = c.Hosts.Select(h => h.Endpoint).ToArray(),
        }).ToList();
        if (topology.Peers is not null)
        {
            clusters.Add(new ClusterConfig { Name = PeersCluster, Endpoints = topology.Peers.Select(h => h.Endpoint).ToArray() });
        }
        var config = new ProxyConfig
        {
            Node = new NodeConfig { Locality = topology.ClientLocality, LocalCluster = topology.Peers is null ? null : PeersCluster },
            Clusters = clusters.ToArray(),
        };
        var errors = new ConfigDiagnostics(diagnostics.File);
        new ClusterValidator().Validate(config, errors);
        new LoadBalancerValidator().Validate(config, errors);
        foreach (var error in errors.Errors)
        {
            // The topology calls the local cluster client.peers and the node client.
            var message = error.Message.Replace("node.localCluster", "client.peers", StringComparison.Ordinal).Replace("node.locality", "client.locality", StringComparison.Ordinal);
            diagnostics.Error(error.Path, message);
        }
    }

    /// <summary>Generated addresses, 10.&lt;cluster&gt;.x.y:80, unique within the file.</summary>
    private sealed class AddressSequence
    {
        private readonly Dictionary<int, int> _next = [];

        public IPEndPoint Next(int clusterNumber)
        {
            var n = _next[clusterNumber] = _next.GetValueOrDefault(clusterNumber) + 1;
            return new IPEndPoint(new IPAddress([10, (byte)clusterNumber, (byte)(n >> 8), (byte)n]), 80);
        }
    }
}
