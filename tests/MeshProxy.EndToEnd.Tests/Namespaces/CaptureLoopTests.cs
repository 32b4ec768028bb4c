using System.Diagnostics;
using System.Net;
using MeshProxy.TestSupport.Namespaces;
using Xunit;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// The negative control of the no-loop check: with rules that exempt some other uid instead of the proxy's, the
/// proxy's own upstream connection is captured again and again. The same bounded request and counters that
/// TransparentCaptureTests use must see the loop and finish, so a broken exemption fails that suite, never hangs it.
/// </summary>
public sealed class CaptureLoopTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CurlMaxTime = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Outbound_ProxyUidNotExempted_LoopIsSeenWithinBound()
    {
        RootOnly.Require();
        await using var pod = await CapturedPod.StartAsync(_ => CapturedPod.BuiltInSidecarConfig(), ["-u", "4242", "-g", "4242"]);
        var before = await pod.Proxy.GetStatsAsync();
        var path = CaptureChecks.NewPath("loop");
        var stopwatch = Stopwatch.StartNew();

        var response = await Curl.GetAsync(pod.PodNs, new IPEndPoint(pod.Network.RemoteIPv4, CapturedPod.RemoteHttpPort), CapturedPod.AppUid, path,
            maxTime: CurlMaxTime);

        var elapsed = stopwatch.Elapsed;
        var after = await pod.Proxy.GetStatsAsync();
        var passes = CaptureChecks.Delta(before, after, "cluster.PassthroughCluster.upstream_rq_total");
        output.WriteLine($"With the proxy's uid not exempted: {passes} passes through the outbound listener; curl after {elapsed}: {response}");
        Assert.True(passes > 1, $"the loop shows in the counters ({passes} passes)\n{await pod.DescribeAsync()}");
        Assert.DoesNotContain(pod.RemoteHttp.Records, r => r.RequestLine.Contains(path, StringComparison.Ordinal));
        Assert.True(elapsed < CurlMaxTime + TimeSpan.FromSeconds(5), $"the request ended within its bound ({elapsed})");
    }
}
