
namespace MeshProxy.Configuration;

/// <summary>Configs built into the binary, loaded through the same reader and validators as a user's file.</summary>
public static class DefaultConfigs
{
    /// <summary>The sidecar default: capture listeners on 15001 and 15006 passing traffic through to its original destination.</summary>
    public static ProxyConfig Sidecar => Load("sidecar.yaml");

    /// <summary>The YAML text of the sidecar default, as shipped.</summary>
    public static string SidecarYaml => ReadResource("sidecar.yaml");

    /// <summary>
    /// The east-west gateway default: an SNI router on [::]:15443 passing Istio AUTO_PASSTHROUGH names (for *.local
    /// services) through to the clusters that declare them; it declares none.
    /// </summary>
    public static ProxyConfig Gateway => Load("gateway.yaml");

    /// <summary>The YAML text of the gateway default, as shipped.</summary>
    public static string GatewayYaml => ReadResource("gateway.yaml");

    private static ProxyConfig Load(string name) => ConfigLoader.LoadText(ReadResource(name), $"(built-in {name})").GetConfigOrThrow();

    private static string ReadResource(string name)
    {
        using var stream = typeof(DefaultConfigs).Assembly.GetManifestResourceStream("MeshProxy.Configuration.Defaults." + name)
            ?? throw new InvalidOperationException($"The built-in config {name} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
