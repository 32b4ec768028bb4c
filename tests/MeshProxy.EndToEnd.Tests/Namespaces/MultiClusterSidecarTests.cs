using System.Diagnostics;
using System.Globalization;
using Xunit;
using static MeshProxy.EndToEnd.Tests.Namespaces.TwoClusterMesh;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// The sidecar side of multi-cluster (issue 8): a sidecar in cluster 1 originates Istio mTLS to reviews, whose
/// instances in cluster 2 it reaches only through cluster 2's east-west gateway, which routes by the outbound_ SNI
/// without decrypting. Cross-cluster calls, a weighted split across clusters, and locality failover and return, all
/// with real meshproxy processes in network namespaces (<see cref="TwoClusterMesh"/>).
/// </summary>
public sealed class MultiClusterSidecarTests(TwoClusterMesh fixture, ITestOutputHelper output) : IClassFixture<TwoClusterMesh>
{
    private static readonly TimeSpan PhaseBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(25);

    [Fact]
    public async Task Cluster1Sidecar_ReachesCluster2ThroughItsGateway_ServerSidecarSeesClientSpiffeId()
    {
        var mesh = fixture.Require();
        var before = mesh.ReviewsV2App.Records.Count;

        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await mesh.CallReviewsAsync($"/v2/reviews/{i}"));
        }

        Assert.All(answers, answer => Assert.Equal(RemoteApp, answer));
        var received = mesh.ReviewsV2App.Records.Skip(before).ToList();
        Assert.Equal(4, received.Count);
        foreach (var request in received)
        {
            // The inbound sidecar in cluster 2 terminated the mTLS that the sidecar in cluster 1 began: By is its own
            // SVID (cluster 2's intermediate), URI the client's (cluster 1's), so the gateway between only passed bytes.
            var xfcc = request.Headers["x-forwarded-client-cert"];
            Assert.StartsWith($"By={TwoClusterPki.Reviews};", xfcc, StringComparison.Ordinal);
            Assert.EndsWith($";URI={Productpage}", xfcc, StringComparison.Ordinal);
            Assert.Equal($"{Service}:8080", request.Headers["host"]);
        }
        var gateway = await mesh.Gateway.GetStatsAsync();
        var client = await mesh.ClientSidecar.GetStatsAsync();
        var routed = gateway[$"sni_route.eastwest.{SubsetV2Sni}.{SubsetV2Sni}.downstream_cx_total"];
        output.WriteLine($"gateway 2: {routed} connection(s) on SNI route {SubsetV2Sni}; client sidecar: {client[$"cluster.{SubsetV2}.ssl.handshake"]} mTLS handshake(s) for {SubsetV2}");
        Assert.True(routed >= 1, "gateway 2 routed nothing by the v2 subset's name");
        // Every mTLS connection the client sidecar made for the v2 subset went through that route, and nothing else came.
        Assert.Equal(client[$"cluster.{SubsetV2}.ssl.handshake"], routed);
        Assert.Equal(0, gateway.GetValueOrDefault("listener.eastwest.no_filter_chain_match"));
        Assert.Equal(0, client.GetValueOrDefault($"cluster.{SubsetV2}.ssl.handshake_failure.not_authorized"));
    }

    [Fact]
    public async Task WeightedSplit_25PercentLocal75PercentRemote_HoldsOver400Requests()
    {
        var mesh = fixture.Require();
        var localBefore = mesh.ReviewsV1App.Records.Count;
        var remoteBefore = mesh.ReviewsV2App.Records.Count;
        const int Requests = 400;

        var answers = await SendAsync(mesh, "/split", Requests, concurrency: 4);

        var local = answers.Count(a => a == LocalApp);
        var remote = answers.Count(a => a == RemoteApp);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Requests} requests: {local} to {LocalApp} in cluster 1 ({100.0 * local / Requests:F1}%), {remote} to {RemoteApp} in cluster 2 ({100.0 * remote / Requests:F1}%)"));
        Assert.Equal(Requests, local + remote);
        // 400 draws at p = 0.25: the standard deviation is 2.2 points; 9 points either way is over 4 sigma.
        Assert.InRange(local / (double)Requests, 0.16, 0.34);
        Assert.Equal(local, mesh.ReviewsV1App.Records.Count - localBefore);
        Assert.Equal(remote, mesh.ReviewsV2App.Records.Count - remoteBefore);
        Assert.All(mesh.ReviewsV2App.Records.Skip(remoteBefore), r => Assert.EndsWith($";URI={Productpage}", r.Headers["x-forwarded-client-cert"], StringComparison.Ordinal));
        Assert.All(mesh.ReviewsV1App.Records.Skip(localBefore), r => Assert.EndsWith($";URI={Productpage}", r.Headers["x-forwarded-client-cert"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task LocalInstanceFails_TrafficFailsOverToCluster2_AndReturnsAfterRecovery()
    {
        var mesh = fixture.Require();
        const int Settled = 20;

        var healthy = await SendAsync(mesh, "/", 20, concurrency: 1);
        Assert.All(healthy, answer => Assert.Equal(LocalApp, answer));

        await mesh.StopLocalAppAsync();
        try
        {
            var stopped = Stopwatch.StartNew();
            var failover = await UntilSettledAsync(mesh, RemoteApp, Settled, stopped);
            output.WriteLine($"failover: {failover}");
            Assert.True(failover.Settled, $"traffic did not settle on cluster 2: {failover}");
            // The local endpoint fails until outlier detection ejects it: Consecutive5xx 503s, then cluster 2 only.
            Assert.All(failover.Before, answer => Assert.Equal("status 503", answer));
            Assert.InRange(failover.Before.Count, Consecutive5xx, Consecutive5xx + 2);
            Assert.Equal("/failed_outlier_check", await mesh.ClientHealthFlagsAsync(WholeService, mesh.LocalPodAddress));
            var stats = await mesh.ClientSidecar.GetStatsAsync();
            Assert.Equal(1, stats[$"cluster.{WholeService}.outlier_detection.ejections_enforced_consecutive_5xx"]);
            // The failover went through gateway 2 with the whole service's name (no subset): the sidecar's default SNI.
            Assert.True((await mesh.Gateway.GetStatsAsync()).GetValueOrDefault($"sni_route.eastwest.{WholeServiceSni}.{WholeServiceSni}.downstream_cx_total") >= 1,
                $"gateway 2 routed nothing by {WholeServiceSni}");

            mesh.StartLocalApp();
            var restarted = Stopwatch.StartNew();
            var recovery = await UntilSettledAsync(mesh, LocalApp, Settled, restarted);
            output.WriteLine($"recovery: {recovery}");
            Assert.True(recovery.Settled, $"traffic did not come back to cluster 1: {recovery}");
            // Until the ejection ends (its 3 s, rounded up to the next sweep) cluster 2 answers; no request fails.
            Assert.All(recovery.Before, answer => Assert.Equal(RemoteApp, answer));
            Assert.True(recovery.FirstAnswer <= BaseEjectionTime + SweepInterval + TimeSpan.FromSeconds(2),
                $"cluster 1 took traffic back only after {recovery.FirstAnswer}");
            Assert.Equal("healthy", await mesh.ClientHealthFlagsAsync(WholeService, mesh.LocalPodAddress));
        }
        finally
        {
            mesh.StartLocalApp();
        }
    }

    /// <summary>Sends <paramref name="requests"/> requests from <paramref name="concurrency"/> workers; the answers in completion order.</summary>
    private static async Task<List<string>> SendAsync(TwoClusterMesh mesh, string path, int requests, int concurrency)
    {
        var answers = new List<string>();
        var next = 0;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                var answer = await mesh.CallReviewsAsync(path);
                lock (answers)
                {
                    answers.Add(answer);
                }
            }
        }));
        await Task.WhenAll(workers).WaitAsync(PhaseBound);
        return answers;
    }

    /// <summary>
    /// Sends requests one at a time, <see cref="Pace"/> apart, until <paramref name="settled"/> in a row come from
    /// <paramref name="target"/>; bounded by 600 requests and <see cref="PhaseBound"/>.
    /// </summary>
    private static async Task<Transition> UntilSettledAsync(TwoClusterMesh mesh, string target, int settled, Stopwatch since)
    {
        var before = new List<string>();
        TimeSpan? first = null;
        var inARow = 0;
        for (var i = 0; i < 600 && since.Elapsed < PhaseBound && inARow < settled; i++)
        {
            var answer = await mesh.CallReviewsAsync("/");
            if (answer == target)
            {
                first ??= since.Elapsed;
                inARow++;
            }
            else if (first is null)
            {
                before.Add(answer);
            }
            else
            {
                // A different answer after the first from the target: the move was not clean.
                before.Add(answer);
                inARow = 0;
            }
            await Task.Delay(Pace);
        }
        return new Transition(inARow >= settled, first ?? since.Elapsed, before, since.Elapsed);
    }

    /// <summary>How traffic moved: whether it settled, when the first answer came from the target, what came before.</summary>
    private sealed record Transition(bool Settled, TimeSpan FirstAnswer, List<string> Before, TimeSpan Elapsed)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"first answer from the target after {FirstAnswer.TotalMilliseconds:F0} ms; other answers: [{Runs()}]; settled: {Settled} after {Elapsed.TotalMilliseconds:F0} ms");

        // "status 503 × 3, reviews-v2 × 55": runs of equal answers, in order.
        private string Runs()
        {
            var runs = new List<(string Answer, int Count)>();
            foreach (var answer in Before)
            {
                if (runs.Count > 0 && runs[^1].Answer == answer)
                {
                    runs[^1] = (answer, runs[^1].Count + 1);
                }
                else
                {
                    runs.Add((answer, 1));
                }
            }
            return string.Join(", ", runs.Select(r => $"{r.Answer} × {r.Count}"));
        }
    }
}
