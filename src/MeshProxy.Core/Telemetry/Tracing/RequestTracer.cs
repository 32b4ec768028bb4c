using System.Diagnostics;
using MeshProxy.Configuration;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MeshProxy.Telemetry.Tracing;

/// <summary>
/// One OpenTelemetry span per proxied request: the trace context is read from the request (W3C traceparent and
/// tracestate, and B3), the proxy's span becomes its child, and the span's context is written into the upstream
/// request. Spans are sampled by ratio unless the caller's context says sampled, and exported with OTLP.
/// When tracing is off, nothing here runs and requests pay nothing.
/// </summary>
public sealed class RequestTracer : IDisposable
{
    public const string SourceName = "MeshProxy";

    private static readonly ActivitySource Source = new(SourceName);
    private readonly TracerProvider? _provider;
    private readonly TextMapPropagator _propagator;

    public RequestTracer(ProxyConfig config)
    {
        var tracing = config.Telemetry.Tracing;
        _propagator = CreatePropagator(tracing.Propagation);
        if (!tracing.Enabled || tracing.OtlpEndpoint is null)
        {
            return;
        }
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(SourceName)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(tracing.SamplingRatio)))
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(
                tracing.ServiceName ?? config.Node.Service, serviceNamespace: config.Node.Namespace, serviceInstanceId: config.Node.Id))
            .AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = tracing.OtlpEndpoint;
                otlp.Protocol = tracing.OtlpProtocol == Configuration.OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                // Export within a second, so a trace shows up while someone is still looking for it.
                otlp.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 1000;
            })
            .Build();
    }

    public bool Enabled => _provider is not null;

    /// <summary>Starts the span of a request, as a child of the context the client sent, if tracing is on.</summary>
    public Activity? StartRequest(HttpContext context, TrafficDirection direction)
    {
        if (_provider is null)
        {
            return null;
        }
        var parent = _propagator.Extract(default, context.Request.Headers, static (headers, name) =>
            headers.TryGetValue(name, out var values) ? (IEnumerable<string>)values! : []);
        var request = context.Request;
        // Envoy's convention: the sidecar's span is a client span on the way out and a server span on the way in.
        var kind = direction == TrafficDirection.Inbound ? ActivityKind.Server : ActivityKind.Client;
        var caller = Activity.Current;
        var activity = Source.StartActivity(request.Method, kind, parent.ActivityContext);
        // The span travels in the request's context; as Activity.Current it would ride along on every await of the
        // request (an ExecutionContext change per request) for nobody to read.
        Activity.Current = caller;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("http.request.method", request.Method);
            activity.SetTag("url.path", request.Path.Value);
            activity.SetTag("url.scheme", request.Scheme);
            activity.SetTag("server.address", request.Host.Host);
            activity.SetTag("network.protocol.version", request.Protocol.Replace("HTTP/", "", StringComparison.Ordinal));
            activity.SetTag("user_agent.original", request.Headers.UserAgent.ToString());
            activity.SetTag("client.address", context.Connection.RemoteIpAddress?.ToString());
            activity.SetTag("guid:x-request-id", request.Headers["x-request-id"].ToString());
            activity.SetTag("component", "proxy");
        }
        return activity;
    }

    /// <summary>Writes the span's context into the upstream request, replacing the trace headers the client sent.</summary>
    public void InjectUpstream(Activity activity, HttpRequestMessage upstreamRequest)
        => _propagator.Inject(new PropagationContext(activity.Context, Baggage.Current), upstreamRequest.Headers, static (headers, name, value) =>
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        });

    /// <summary>Ends the span with the outcome of the request.</summary>
    public static void StopRequest(Activity activity, int statusCode, string? routeName, string? cluster, string? upstreamHost, ResponseFlags flags)
    {
        if (activity.IsAllDataRequested)
        {
            activity.DisplayName = routeName is null ? activity.OperationName : $"{activity.OperationName} {routeName}";
            activity.SetTag("http.response.status_code", statusCode);
            activity.SetTag("upstream_cluster", cluster);
            activity.SetTag("upstream_address", upstreamHost);
            activity.SetTag("response_flags", ResponseFlagsFormatter.ToShortString(flags));
            if (statusCode >= 500 || flags != ResponseFlags.None)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
        activity.Stop();
    }

    private static TextMapPropagator CreatePropagator(Utilities.EquatableArray<TracePropagation> formats)
    {
        var propagators = new List<TextMapPropagator>();
        foreach (var format in formats)
        {
#pragma warning disable CS0618 // B3Propagator moved to OpenTelemetry.Extensions.Propagators, which our package source does not carry.
            propagators.Add(format == TracePropagation.W3c ? new TraceContextPropagator() : new B3Propagator(singleHeader: false));
#pragma warning restore CS0618
        }
        return new CompositeTextMapPropagator(propagators);
    }

    public void Dispose() => _provider?.Dispose();
}
