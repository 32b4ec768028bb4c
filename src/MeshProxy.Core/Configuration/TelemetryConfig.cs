using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>
/// Access logs and tracing. Prometheus metrics are always on (see admin.metricsAddress). Telemetry settings are read
/// at start; a reload that changes them is applied at the next restart (the proxy logs that).
/// </summary>
public sealed record TelemetryConfig
{
    public AccessLogConfig AccessLog { get; init; } = new();

    public TracingConfig Tracing { get; init; } = new();
}

/// <summary>One line per request or TCP connection, written off the hot path through a bounded queue.</summary>
public sealed record AccessLogConfig
{
    /// <summary>Default false, as in Istio (meshConfig.accessLogFile is empty by default).</summary>
    public bool Enabled { get; init; }

    /// <summary>"stdout", "stderr", or a file path (appended to). Default "stdout".</summary>
    public string Path { get; init; } = "stdout";

    /// <summary>json (one object per line, Envoy's default fields) or text (Envoy's default format). Default json.</summary>
    public AccessLogFormat Format { get; init; } = AccessLogFormat.Json;

    /// <summary>Lines waiting to be written; when full, new lines are dropped and counted, never waited for. Default 8192.</summary>
    public int QueueCapacity { get; init; } = 8192;
}

public enum AccessLogFormat
{
    Json,
    Text,
}

/// <summary>OpenTelemetry tracing: one span per proxied request, exported with OTLP.</summary>
public sealed record TracingConfig
{
    /// <summary>Default false.</summary>
    public bool Enabled { get; init; }

    /// <summary>The share of new traces that are sampled, 0 to 1; a sampled parent is always followed. Default 0.01 (Istio's 1%).</summary>
    public double SamplingRatio { get; init; } = 0.01;

    /// <summary>Where spans go, e.g. http://127.0.0.1:4317 (gRPC) or http://127.0.0.1:4318/v1/traces (HTTP). Required when enabled.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>grpc or httpProtobuf. Default grpc.</summary>
    public OtlpProtocol OtlpProtocol { get; init; } = OtlpProtocol.Grpc;

    /// <summary>Trace-context formats read from requests and written upstream, in order: w3c, b3. Default both.</summary>
    public EquatableArray<TracePropagation> Propagation { get; init; } = new[] { TracePropagation.W3c, TracePropagation.B3 };

    /// <summary>The service.name reported with every span. Default: node.service.</summary>
    public string? ServiceName { get; init; }
}

public enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}

public enum TracePropagation
{
    W3c,
    B3,
}
