using MeshProxy.Upstream;

namespace MeshProxy.Cli.Demo;

/// <summary>
/// What the demo did to the failover service mid-run: which instances it stopped, when (seconds into the run) it
/// stopped them and started them again (null when they could not be started), and the sidecar's counters for it.
/// </summary>
internal sealed record DemoFailover(IReadOnlyList<DemoEndpoint> Stopped, double StoppedAt, double? StartedAt, ClusterStats Stats);
