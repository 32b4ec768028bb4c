namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// A captured pod running the built-in sidecar config, whose capture listeners bind "[::]" (dual-stack), so that both
/// IPv4 and IPv6 captured connections find a listener. Where the namespace has no IPv6, the proxy falls back to IPv4
/// and the IPv6 tests report the probe's reason instead.
/// </summary>
public sealed class DualStackPodFixture : CapturedPodFixture
{
    protected override Task<CapturedPod> StartAsync() => CapturedPod.StartAsync(_ => CapturedPod.BuiltInSidecarConfig());
}
