namespace MeshProxy.Configuration.Validation;

/// <summary>Tracing that is on needs somewhere to send spans.</summary>
internal sealed class TelemetryValidator : IConfigValidator
{
    public void Validate(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        var tracing = config.Telemetry.Tracing;
        if (tracing.Enabled && tracing.OtlpEndpoint is null)
        {
            diagnostics.Error("telemetry.tracing.otlpEndpoint", "is required when tracing is enabled");
        }
        if (tracing.Propagation.IsEmpty && tracing.Enabled)
        {
            diagnostics.Error("telemetry.tracing.propagation", "list at least one of w3c, b3");
        }
    }
}
