namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>A captured pod whose proxy runs the built-in sidecar config exactly as shipped (IPv4 listeners on 0.0.0.0).</summary>
public sealed class BuiltInSidecarPodFixture : CapturedPodFixture
{
    protected override Task<CapturedPod> StartAsync() => CapturedPod.StartAsync(_ => CapturedPod.BuiltInSidecarConfig());
}
