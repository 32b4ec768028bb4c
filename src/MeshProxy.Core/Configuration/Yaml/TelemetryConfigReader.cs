namespace MeshProxy.Configuration.Yaml;

internal static class TelemetryConfigReader
{
    public static TelemetryConfig Read(YamlMappingReader map)
    {
        var telemetry = new TelemetryConfig
        {
            AccessLog = map.Mapping("accessLog") is { } accessLog ? ReadAccessLog(accessLog) : new AccessLogConfig(),
            Tracing = map.Mapping("tracing") is { } tracing ? ReadTracing(tracing) : new TracingConfig(),
        };
        map.ReportUnknownKeys();
        return telemetry;
    }

    private static AccessLogConfig ReadAccessLog(YamlMappingReader map)
    {
        var defaults = new AccessLogConfig();
        var accessLog = new AccessLogConfig
        {
            Enabled = map.Bool("enabled", defaults.Enabled),
            Path = map.OptionalString("path") ?? defaults.Path,
            Format = map.Enum("format", defaults.Format),
            QueueCapacity = map.Int("queueCapacity", defaults.QueueCapacity, 16, 1_000_000),
        };
        map.ReportUnknownKeys();
        return accessLog;
    }

    private static TracingConfig ReadTracing(YamlMappingReader map)
    {
        var defaults = new TracingConfig();
        var tracing = new TracingConfig
        {
            Enabled = map.Bool("enabled", defaults.Enabled),
            SamplingRatio = map.Fraction("samplingRatio", defaults.SamplingRatio),
            OtlpEndpoint = map.AbsoluteUri("otlpEndpoint"),
            OtlpProtocol = map.Enum("otlpProtocol", defaults.OtlpProtocol),
            Propagation = map.Has("propagation")
                ? map.ValueList("propagation", item => item.AsEnum<TracePropagation>())
                : defaults.Propagation,
            ServiceName = map.OptionalString("serviceName"),
        };
        map.ReportUnknownKeys();
        return tracing;
    }
}
