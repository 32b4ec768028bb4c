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
            Listeners = root.List("listeners", item => item.AsMapping() is { } m ? ListenerConfigReader.Read(m) : null),
            RouteTables = root.List("routeTables", item => item.AsMapping() is { } m ? RouteTableConfigReader.Read(m) : null),
            Clusters = root.List("clusters", item => item.AsMapping() is { } m ? ClusterConfigReader.Read(m) : null),
            Telemetry = root.Mapping("telemetry") is { } telemetry ? TelemetryConfigReader.Read(telemetry) : new TelemetryConfig(),
            Identity = root.Mapping("identity") is { } identity ? SecurityConfigReader.ReadIdentity(identity) : new IdentityConfig(),
            Authorization = root.List("authorization", item => item.AsMapping() is { } m ? SecurityConfigReader.ReadPolicy(m) : null),
        };
        root.ReportUnknownKeys();
        return config;
    }
}
