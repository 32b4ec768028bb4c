namespace MeshProxy.Configuration.Validation;

/// <summary>
/// Checks one concern across a whole config and reports every problem it finds; it never stops at the first.
/// Range checks on single fields live in the readers; validators check references and cross-field rules.
/// </summary>
public interface IConfigValidator
{
    void Validate(ProxyConfig config, ConfigDiagnostics diagnostics);
}
