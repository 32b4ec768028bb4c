namespace MeshProxy.Configuration.Yaml;

/// <summary>Reads identity, TLS and authorization settings.</summary>
internal static class SecurityConfigReader
{
    public static IdentityConfig ReadIdentity(YamlMappingReader map)
    {
        var identity = new IdentityConfig
        {
            Files = map.Mapping("files") is { } files ? ReadFiles(files) : null,
            WorkloadApi = map.Mapping("workloadApi") is { } api ? ReadWorkloadApi(api) : map.IsPresent("workloadApi") ? new WorkloadApiConfig() : null,
        };
        map.ReportUnknownKeys();
        return identity;
    }

    public static UpstreamTlsConfig ReadUpstream(YamlMappingReader map)
    {
        var tls = new UpstreamTlsConfig
        {
            Mode = map.Enum("mode", UpstreamTlsMode.IstioMutual),
            ServerIds = map.StringList("serverIds"),
            TrustDomains = map.StringList("trustDomains"),
            Sni = map.OptionalString("sni"),
        };
        map.ReportUnknownKeys();
        return tls;
    }

    public static DownstreamTlsConfig ReadDownstream(YamlMappingReader map)
    {
        var tls = new DownstreamTlsConfig { Mode = map.Enum("mode", DownstreamTlsMode.Disable) };
        map.ReportUnknownKeys();
        return tls;
    }

    public static AuthorizationPolicyConfig ReadPolicy(YamlMappingReader map)
    {
        var policy = new AuthorizationPolicyConfig
        {
            Name = map.RequiredString("name"),
            Action = map.Enum("action", AuthorizationAction.Allow),
            Rules = map.MappingList("rules", ReadRule),
        };
        map.ReportUnknownKeys();
        return policy;
    }

    private static IdentityFilesConfig ReadFiles(YamlMappingReader map)
    {
        var files = new IdentityFilesConfig
        {
            CertificateChain = map.RequiredString("certificateChain"),
            PrivateKey = map.RequiredString("privateKey"),
            Bundle = map.RequiredString("bundle"),
            FederatedBundles = map.OptionalString("federatedBundles"),
        };
        map.ReportUnknownKeys();
        return files;
    }

    private static WorkloadApiConfig ReadWorkloadApi(YamlMappingReader map)
    {
        var api = new WorkloadApiConfig { Socket = map.OptionalString("socket") };
        map.ReportUnknownKeys();
        return api;
    }

    private static AuthorizationRuleConfig ReadRule(YamlMappingReader map)
    {
        var rule = new AuthorizationRuleConfig
        {
            From = map.MappingList("from", ReadSource),
            To = map.MappingList("to", ReadOperation),
        };
        map.ReportUnknownKeys();
        return rule;
    }

    private static AuthorizationSourceConfig ReadSource(YamlMappingReader map)
    {
        var source = new AuthorizationSourceConfig
        {
            Principals = map.StringList("principals"),
            NotPrincipals = map.StringList("notPrincipals"),
            Namespaces = map.StringList("namespaces"),
            NotNamespaces = map.StringList("notNamespaces"),
        };
        map.ReportUnknownKeys();
        return source;
    }

    private static AuthorizationOperationConfig ReadOperation(YamlMappingReader map)
    {
        var operation = new AuthorizationOperationConfig
        {
            Ports = ReadPorts(map, "ports"),
            NotPorts = ReadPorts(map, "notPorts"),
            Methods = map.StringList("methods"),
            NotMethods = map.StringList("notMethods"),
            Paths = map.StringList("paths"),
            NotPaths = map.StringList("notPaths"),
        };
        map.ReportUnknownKeys();
        return operation;
    }

    private static Utilities.EquatableArray<int> ReadPorts(YamlMappingReader map, string key)
        => map.ValueList<int>(key, item => item.AsString() is { } text && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : Invalid(item));

    private static int? Invalid(YamlNodeReader item)
    {
        item.Error("is not a port (1-65535)");
        return null;
    }
}
