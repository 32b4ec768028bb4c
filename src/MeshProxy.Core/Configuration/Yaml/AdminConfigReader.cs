namespace MeshProxy.Configuration.Yaml;

internal static class AdminConfigReader
{
    public static AdminConfig Read(YamlMappingReader map)
    {
        var defaults = new AdminConfig();
        var admin = new AdminConfig
        {
            Address = map.SocketAddress("address") ?? defaults.Address,
            ReadinessAddress = map.IsPresent("readinessAddress") ? map.SocketAddress("readinessAddress") : defaults.ReadinessAddress,
            MetricsAddress = map.IsPresent("metricsAddress") ? map.SocketAddress("metricsAddress") : defaults.MetricsAddress,
            DrainTimeout = map.Duration("drainTimeout", defaults.DrainTimeout),
        };
        map.ReportUnknownKeys();
        return admin;
    }
}
