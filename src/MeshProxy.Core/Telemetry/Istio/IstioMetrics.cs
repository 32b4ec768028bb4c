using System.Collections.Concurrent;
using Prometheus;

namespace MeshProxy.Telemetry.Istio;

/// <summary>
/// Istio's standard metrics with Istio's names, labels and value conventions (istio.io, "Istio Standard Metrics").
/// Each distinct series is resolved once and cached, so recording a request is one dictionary lookup and four
/// lock-free updates. Labels never carry paths or addresses, so cardinality stays bounded.
/// </summary>
internal sealed class IstioMetrics
{
    /// <summary>Envoy's default histogram buckets (ms), which Istio's duration histogram uses.</summary>
    private static readonly double[] DurationBuckets = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    /// <summary>Decade buckets for body sizes (bytes), as Istio reports them.</summary>
    private static readonly double[] ByteBuckets = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

    private const int MaxCachedSeries = 20_000;

    private readonly Counter _requestsTotal;
    private readonly Histogram _requestDuration;
    private readonly Histogram _requestBytes;
    private readonly Histogram _responseBytes;
    private readonly Counter _tcpOpened;
    private readonly Counter _tcpClosed;
    private readonly Counter _tcpSent;
    private readonly Counter _tcpReceived;
    private readonly ConcurrentDictionary<IstioSeriesKey, RequestSeries> _requestSeries = new();
    private readonly ConcurrentDictionary<IstioSeriesKey, TcpSeries> _tcpSeries = new();

    public IstioMetrics(IMetricFactory factory)
    {
        var labels = IstioLabels.Names;
        _requestsTotal = factory.CreateCounter("istio_requests_total", "Requests the proxy handled.", labels);
        _requestDuration = factory.CreateHistogram("istio_request_duration_milliseconds", "Request duration in milliseconds.",
            new HistogramConfiguration { LabelNames = labels, Buckets = DurationBuckets });
        _requestBytes = factory.CreateHistogram("istio_request_bytes", "HTTP request body sizes in bytes.",
            new HistogramConfiguration { LabelNames = labels, Buckets = ByteBuckets });
        _responseBytes = factory.CreateHistogram("istio_response_bytes", "HTTP response body sizes in bytes.",
            new HistogramConfiguration { LabelNames = labels, Buckets = ByteBuckets });
        _tcpOpened = factory.CreateCounter("istio_tcp_connections_opened_total", "TCP connections opened.", labels);
        _tcpClosed = factory.CreateCounter("istio_tcp_connections_closed_total", "TCP connections closed.", labels);
        _tcpSent = factory.CreateCounter("istio_tcp_sent_bytes_total", "Bytes sent to the downstream during TCP connections.", labels);
        _tcpReceived = factory.CreateCounter("istio_tcp_received_bytes_total", "Bytes received from the downstream during TCP connections.", labels);
    }

    public void RecordRequest(in IstioSeriesKey key, double durationMilliseconds, long requestBytes, long responseBytes)
    {
        var series = Resolve(_requestSeries, key, this, static (metrics, values) => new RequestSeries(
            metrics._requestsTotal.WithLabels(values), metrics._requestDuration.WithLabels(values),
            metrics._requestBytes.WithLabels(values), metrics._responseBytes.WithLabels(values)));
        series.Requests.Inc();
        series.Duration.Observe(durationMilliseconds);
        series.RequestBytes.Observe(requestBytes);
        series.ResponseBytes.Observe(responseBytes);
    }

    public void TcpConnectionOpened(in IstioSeriesKey key) => ResolveTcp(key).Opened.Inc();

    /// <param name="sent">Bytes sent to the downstream (the client).</param>
    /// <param name="received">Bytes received from the downstream.</param>
    public void TcpConnectionClosed(in IstioSeriesKey key, long sent, long received)
    {
        var series = ResolveTcp(key);
        series.Closed.Inc();
        series.Sent.Inc(sent);
        series.Received.Inc(received);
    }

    private TcpSeries ResolveTcp(in IstioSeriesKey key) => Resolve(_tcpSeries, key, this, static (metrics, values) => new TcpSeries(
        metrics._tcpOpened.WithLabels(values), metrics._tcpClosed.WithLabels(values),
        metrics._tcpSent.WithLabels(values), metrics._tcpReceived.WithLabels(values)));

    private static T Resolve<T>(ConcurrentDictionary<IstioSeriesKey, T> cache, in IstioSeriesKey key, IstioMetrics metrics, Func<IstioMetrics, string[], T> create)
    {
        if (cache.TryGetValue(key, out var series))
        {
            return series;
        }
        if (cache.Count >= MaxCachedSeries)
        {
            // Reloads create fresh label objects; dropping the cache lets old entries go (the series themselves stay).
            cache.Clear();
        }
        series = create(metrics, key.ToLabelValues());
        cache.TryAdd(key, series);
        return series;
    }

    private sealed record RequestSeries(Counter.Child Requests, Histogram.Child Duration, Histogram.Child RequestBytes, Histogram.Child ResponseBytes);

    private sealed record TcpSeries(Counter.Child Opened, Counter.Child Closed, Counter.Child Sent, Counter.Child Received);
}
