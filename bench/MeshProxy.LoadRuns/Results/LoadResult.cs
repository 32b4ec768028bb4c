namespace MeshProxy.LoadRuns.Results;

/// <summary>What a load generator reports for one cell.</summary>
/// <param name="Throughput">Requests per second, or MiB per second for a bulk scenario.</param>
/// <param name="Requests">Requests completed (downloads, for bulk).</param>
/// <param name="Bytes">Bytes received by the client (0 when the tool does not say).</param>
/// <param name="Seconds">How long the load generator measured for.</param>
/// <param name="P50Ms">Median latency in milliseconds (per download, for bulk).</param>
/// <param name="P99Ms">99th percentile latency in milliseconds.</param>
/// <param name="Errors">Failed requests: non-2xx, socket errors, timeouts.</param>
internal sealed record LoadResult(double Throughput, long Requests, long Bytes, double Seconds, double P50Ms, double P99Ms, long Errors);
