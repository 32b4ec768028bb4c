using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshProxy.Configuration.Yaml;

/// <summary>
/// Turns YAML text into a <see cref="ProxyConfig"/>, reporting every syntax and type error with its location.
/// Cross-field rules (references, uniqueness) are checked afterwards by the validators.
/// </summary>
public static class YamlConfigReader
{
    public static ProxyConfig? Read(string yaml, ConfigDiagnostics diagnostics)
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

        if (stream.Documents.Count == 0)
        {
            diagnostics.Error("", "the file is empty");
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            diagnostics.Error("", "expected one YAML document, found several (remove the extra '---')");
            return null;
        }

        var root = new YamlNodeReader(stream.Documents[0].RootNode, "", diagnostics).AsMapping();
        if (root is null)
        {
            return null;
        }

        var config = new ProxyConfig
        {
            Node = root.Mapping("node") is { } node ? NodeConfigReader.Read(node) : new NodeConfig(),
            Admin = root.Mapping("admin") is { } admin ? AdminConfigReader.Read(admin) : new AdminConfig(),
            Listeners = root.MappingList("listeners", ListenerConfigReader.Read),
            RouteTables = root.MappingList("routeTables", RouteTableConfigReader.Read),
            Clusters = root.MappingList("clusters", ClusterConfigReader.Read),
            Telemetry = root.Mapping("telemetry") is { } telemetry ? TelemetryConfigReader.Read(telemetry) : new TelemetryConfig(),
            Identity = root.Mapping("identity") is { } identity ? SecurityConfigReader.ReadIdentity(identity) : new IdentityConfig(),
            Authorization = root.MappingList("authorization", SecurityConfigReader.ReadPolicy),
        };
        root.ReportUnknownKeys();
        return config;
    }
}
