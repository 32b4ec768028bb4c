using System.Net.Http;
using Google.Protobuf;
using MeshProxy.TestSupport;
using Opentelemetry.Proto.Trace.V1;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// Spans reach a real OTLP receiver with the right parent and child ids and attributes, for W3C traceparent and for B3,
/// over OTLP/gRPC and OTLP/HTTP; the upstream sees the proxy's span as its parent; x-request-id is kept.
/// </summary>
public sealed class TracingTests : IAsyncLifetime
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ClientSpanId = "00f067aa0ba902b7";

    private TestBackend _backend = null!;
    private OtlpReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        _receiver = await OtlpReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private Task<ProxyTestHost> StartProxyAsync(Uri endpoint, string protocol, double samplingRatio = 1.0) => ProxyTestHost.StartAsync(
        ProxyYaml.SingleRoute(_backend.Http1Address) + $$"""

        telemetry:
          tracing:
            enabled: true
            samplingRatio: {{samplingRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)}}
            otlpEndpoint: {{endpoint}}
            otlpProtocol: {{protocol}}
            serviceName: test-sidecar
        """);

    [Theory]
    [InlineData("grpc")]
    [InlineData("httpProtobuf")]
    public async Task W3cTraceparent_SpanIsChildOfClientAndParentOfUpstream(string protocol)
    {
        await using var proxy = await StartProxyAsync(protocol == "grpc" ? _receiver.GrpcEndpoint : _receiver.HttpEndpoint, protocol);

        var result = await Curl.RunAsync("-H", $"traceparent: 00-{TraceId}-{ClientSpanId}-01", "-H", "x-request-id: trace-me-1",
            proxy.ListenerUri("web", "/echo").ToString());

        var span = await _receiver.WaitForSpanAsync(s => Hex(s.TraceId) == TraceId, TimeSpan.FromSeconds(20));
        Assert.Equal(ClientSpanId, Hex(span.ParentSpanId));
        Assert.Equal(Span.Types.SpanKind.Client, span.Kind);
        Assert.Equal("200", Attribute(span, "http.response.status_code"));
        Assert.Equal("GET", Attribute(span, "http.request.method"));
        Assert.Equal("/echo", Attribute(span, "url.path"));
        Assert.Equal("trace-me-1", Attribute(span, "guid:x-request-id"));
        Assert.Equal("backend", Attribute(span, "upstream_cluster"));
        // The upstream got the proxy's span as its parent, and the request id unchanged.
        Assert.Contains($"traceparent: 00-{TraceId}-{Hex(span.SpanId)}-01\n", result.StandardOutput);
        Assert.Contains("x-request-id: trace-me-1\n", result.StandardOutput);
    }

    [Fact]
    public async Task B3Headers_SpanJoinsTheTraceAndB3GoesUpstream()
    {
        await using var proxy = await StartProxyAsync(_receiver.GrpcEndpoint, "grpc");

        var result = await Curl.RunAsync("-H", $"x-b3-traceid: {TraceId}", "-H", $"x-b3-spanid: {ClientSpanId}", "-H", "x-b3-sampled: 1",
            proxy.ListenerUri("web", "/echo").ToString());

        var span = await _receiver.WaitForSpanAsync(s => Hex(s.TraceId) == TraceId, TimeSpan.FromSeconds(20));
        Assert.Equal(ClientSpanId, Hex(span.ParentSpanId));
        Assert.Contains($"x-b3-traceid: {TraceId}\n", result.StandardOutput);
        Assert.Contains($"x-b3-spanid: {Hex(span.SpanId)}\n", result.StandardOutput);
        Assert.Contains($"traceparent: 00-{TraceId}-{Hex(span.SpanId)}-01\n", result.StandardOutput);
    }

    [Fact]
    public async Task NoIncomingContext_ZeroSamplingRatio_NoSpanAndHeadersUntouched()
    {
        await using var proxy = await StartProxyAsync(_receiver.GrpcEndpoint, "grpc", samplingRatio: 0);

        var result = await Curl.RunAsync(proxy.ListenerUri("web", "/echo").ToString());
        var sampledParent = await Curl.RunAsync("-H", $"traceparent: 00-{TraceId}-{ClientSpanId}-01", proxy.ListenerUri("web", "/echo").ToString());

        // A sampled caller is followed even at ratio 0 (parent-based sampling); an unsampled new trace is not exported.
        var span = await _receiver.WaitForSpanAsync(s => Hex(s.TraceId) == TraceId, TimeSpan.FromSeconds(20));
        Assert.Equal(ClientSpanId, Hex(span.ParentSpanId));
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // longer than the exporter's batch delay
        Assert.DoesNotContain(_receiver.Spans, s => Hex(s.TraceId) != TraceId);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("path: /echo", result.StandardOutput);
        Assert.Contains($"traceparent: 00-{TraceId}-{Hex(span.SpanId)}-01", sampledParent.StandardOutput);
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.ToByteArray());

    private static string? Attribute(Span span, string key)
    {
        var value = span.Attributes.FirstOrDefault(a => a.Key == key)?.Value;
        return value?.ValueCase switch
        {
            Opentelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.StringValue => value.StringValue,
            Opentelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
    }
}
