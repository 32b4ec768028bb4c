namespace MeshProxy.Configuration;

/// <summary>A config was rejected; <see cref="Errors"/> lists every problem found, not just the first.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base($"The configuration is invalid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}" +
               string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }
}
