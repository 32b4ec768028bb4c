using MeshProxy.Configuration.Validation;
using MeshProxy.Configuration.Yaml;

namespace MeshProxy.Configuration;

/// <summary>
/// Reads and validates a config: every error in one pass, with file, line, YAML path and reason.
/// A config is either wholly valid or rejected; the proxy never runs half-configured.
/// </summary>
public static class ConfigLoader
{
    private static readonly IConfigValidator[] Validators =
    [
        new ListenerValidator(),
        new RouteTableValidator(),
        new ClusterValidator(),
        new TelemetryValidator(),
        new SecurityValidator(),
        new LoadBalancerValidator(),
        new ResilienceValidator(),
        new SniRouterValidator(),
        new HealthValidator(),
    ];

    public static ConfigLoadResult LoadFile(string path)
    {
        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ConfigLoadResult.Failed(new ConfigError(path, 0, 0, "", $"cannot read the file: {ex.Message}"));
        }
        return LoadText(yaml, path);
    }

    public static ConfigLoadResult LoadText(string yaml, string sourceName)
    {
        var diagnostics = new ConfigDiagnostics(sourceName);
        var config = YamlConfigReader.Read(yaml, diagnostics);
        if (config is not null)
        {
            diagnostics.BeginValidation();
            foreach (var validator in Validators)
            {
                validator.Validate(config, diagnostics);
            }
        }
        return diagnostics.HasErrors || config is null
            ? new ConfigLoadResult(null, diagnostics.Errors)
            : new ConfigLoadResult(config, []);
    }
}

/// <summary>The outcome of loading a config: the config, or every error found.</summary>
public sealed record ConfigLoadResult(ProxyConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    public bool Succeeded => Config is not null;

    public static ConfigLoadResult Failed(ConfigError error) => new(null, [error]);

    public ProxyConfig GetConfigOrThrow() => Config ?? throw new ConfigException(Errors);
}
