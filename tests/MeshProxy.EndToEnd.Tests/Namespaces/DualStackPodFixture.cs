namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// A captured pod whose proxy runs the built-in sidecar config with its two capture listeners moved from 0.0.0.0 to
/// [::] (Kestrel makes [::] dual-stack), so that both IPv4 and IPv6 captured connections find a listener. The
/// shipped config binds IPv4 only; this is the smallest change that makes --ipv6 capture work.
/// </summary>
public sealed class DualStackPodFixture : CapturedPodFixture
{
    public static string DualStackConfig()
    {
        var config = CapturedPod.BuiltInSidecarConfig();
        foreach (var port in new[] { 15001, 15006 })
        {
            var ipv4 = $"address: 0.0.0.0:{port}";
            if (!config.Contains(ipv4, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The built-in sidecar config no longer has '{ipv4}'; update this fixture.");
            }
            config = config.Replace(ipv4, $"address: \"[::]:{port}\"", StringComparison.Ordinal);
        }
        return config;
    }

    // Where the namespace has no IPv6, [::] cannot be bound; the tests then report the probe's reason instead.
    protected override Task<CapturedPod> StartAsync() =>
        CapturedPod.StartAsync(network => network.Ipv6.Available ? DualStackConfig() : CapturedPod.BuiltInSidecarConfig());
}
