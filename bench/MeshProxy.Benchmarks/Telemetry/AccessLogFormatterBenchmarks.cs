using System.Buffers;
using BenchmarkDotNet.Attributes;
using MeshProxy.Configuration;
using MeshProxy.Telemetry;
using MeshProxy.Telemetry.AccessLog;

namespace MeshProxy.Benchmarks.Telemetry;

/// <summary>
/// One access-log line of a typical proxied request, formatted into the writer's buffer: the work the access log's
/// background task does per request, which on a 2-core sidecar competes with the requests themselves.
/// </summary>
[MemoryDiagnoser]
public class AccessLogFormatterBenchmarks
{
    private static readonly AccessLogEntry Entry = new()
    {
        StartTime = new DateTimeOffset(2026, 11, 25, 12, 34, 56, 789, TimeSpan.Zero),
        Direction = "outbound",
        Protocol = "HTTP/1.1",
        Method = "GET",
        Path = "/api/v1/reviews/42?include=ratings",
        ResponseCode = 200,
        ResponseFlags = ResponseFlags.None,
        BytesReceived = 0,
        BytesSent = 1234,
        DurationMilliseconds = 1.234567,
        UpstreamServiceTimeMilliseconds = 0.987654,
        ForwardedFor = "10.0.0.7",
        UserAgent = "curl/7.88.1",
        RequestId = "4f1c7a2e-9b7d-4c51-8a8e-2f5b0d3c1e9a",
        Authority = "reviews.default.svc.cluster.local:9080",
        UpstreamHost = "10.244.1.17:9080",
        UpstreamCluster = "outbound|9080||reviews.default.svc.cluster.local",
        RouteName = "reviews",
        DownstreamRemoteAddress = "10.244.0.5:51234",
        DownstreamLocalAddress = "10.96.12.34:9080",
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private AccessLogFormatter _formatter = null!;

    [Params(AccessLogFormat.Json, AccessLogFormat.Text)]
    public AccessLogFormat Format { get; set; }

    [GlobalSetup]
    public void Setup() => _formatter = new AccessLogFormatter(Format);

    [Benchmark]
    public int FormatOneLine()
    {
        _buffer.ResetWrittenCount();
        _formatter.Write(_buffer, Entry);
        return _buffer.WrittenCount;
    }
}
