using System.Text.RegularExpressions;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>`meshproxy demo` on the real binary: it ends by itself and its report shows the zone failover and return, hedging and the mTLS hop.</summary>
public sealed partial class DemoCommandTests
{
    [Fact]
    public async Task Demo_ShortRun_ReportsFailoverToNextZoneAndBack()
    {
        var result = await ProcessRunner.RunAsync("dotnet", [RepositoryPaths.MeshProxyDll, "demo", "--duration", "00:00:06"], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = result.StandardOutput;
        Assert.Contains("stopped catalog-1 and catalog-2", report);
        Assert.Contains("started catalog-1 and catalog-2 again", report);
        // Before, zone-a answers (requests sent in the last moments before the stop may fail); while it is down, zone-b does.
        Assert.True(Share("  before", "a") >= 99, result.ToString());
        Assert.True(Share("  zone-a down", "b") >= 95, result.ToString());
        Assert.Contains("Traffic came back to zone-a", report);
        // The hedging act: hedges were made; the mTLS act: identities both ways and an authorization denial.
        Assert.Matches(@"[1-9][\d,]* hedges were started", report);
        Assert.Contains("20 of 20 requests answered; the client's sidecar verified the server as spiffe://cluster.local/ns/demo/sa/payments", report);
        Assert.Contains("its caller is spiffe://cluster.local/ns/demo/sa/frontend", report);
        Assert.Contains("403 \"RBAC: access denied\"", report);

        double Share(string phase, string zone) => double.Parse(
            PhaseRow().Match(report[report.IndexOf(phase, StringComparison.Ordinal)..]).Groups[zone].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    // "  zone-a down   1.8 s    3.9 s      1,234     0.2%    99.5%        7"
    [GeneratedRegex(@"(?<a>[\d.]+)%\s+(?<b>[\d.]+)%\s+\d+")]
    private static partial Regex PhaseRow();
}
