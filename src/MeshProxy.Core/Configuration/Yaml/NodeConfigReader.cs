namespace MeshProxy.Configuration.Yaml;

internal static class NodeConfigReader
{
    public static NodeConfig Read(YamlMappingReader map)
    {
        var defaults = new NodeConfig();
        var node = new NodeConfig
        {
            Id = map.OptionalString("id") ?? defaults.Id,
            Service = map.OptionalString("service") ?? defaults.Service,
            Namespace = map.OptionalString("namespace") ?? defaults.Namespace,
            Locality = map.Mapping("locality") is { } locality ? ReadLocality(locality) : LocalityConfig.None,
            Workload = map.OptionalString("workload"),
            ClusterId = map.OptionalString("clusterId") ?? defaults.ClusterId,
            Labels = map.StringMap("labels"),
            LocalCluster = map.OptionalString("localCluster"),
        };
        map.ReportUnknownKeys();
        return node;
    }

    public static LocalityConfig ReadLocality(YamlMappingReader map)
    {
        var locality = new LocalityConfig(
            map.OptionalString("region") ?? "",
            map.OptionalString("zone") ?? "",
            map.OptionalString("subzone") ?? "");
        map.ReportUnknownKeys();
        return locality;
    }
}
