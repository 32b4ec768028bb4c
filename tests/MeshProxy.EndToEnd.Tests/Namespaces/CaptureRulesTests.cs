using MeshProxy.TestSupport;
using MeshProxy.TestSupport.Namespaces;
using Xunit;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// What the capture scripts do to a namespace's tables: the rules the kernel ends up holding, running the install
/// twice, and the cleanup leaving the tables exactly as they were. Each test has its own namespaces; no proxy runs.
/// </summary>
public sealed class CaptureRulesTests(ITestOutputHelper output)
{
    private const string Lo6Marker = ":MESHPROXY_LO6_ADDED - [0:0]\n";

    [Fact]
    public async Task Install_Defaults_KernelHoldsIstioGoldenRules()
    {
        RootOnly.Require();
        await using var network = await PodNetwork.CreateAsync();
        var ipv6 = Ipv6Report.IsAvailable(network, output);

        var install = await CaptureScripts.InstallAsync(network.Pod, []);

        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Contains($"IPv6 {(ipv6 ? "true" : "false")}", install.StandardOutput, StringComparison.Ordinal);
        // The golden text goes into the other namespace through iptables-restore, so both sides are printed by the
        // same iptables-save and compare rule for rule.
        await network.Remote.RunCheckedAsync(["iptables-restore", "--noflush"], standardInput: IstioGolden.DefaultRules("127.0.0.6/32", "127.0.0.1/32"));
        Assert.Equal(await SaveNatAsync(network.Remote, "iptables-save"), await SaveNatAsync(network.Pod, "iptables-save"));
        if (ipv6)
        {
            // The install added ::6/128 to lo, and records that with the marker chain.
            var golden6 = IstioGolden.DefaultRules("::6/128", "::1/128").Replace(":MESHPROXY_OUTPUT - [0:0]\n", ":MESHPROXY_OUTPUT - [0:0]\n" + Lo6Marker, StringComparison.Ordinal);
            await network.Remote.RunCheckedAsync(["ip6tables-restore", "--noflush"], standardInput: golden6);
            Assert.Equal(await SaveNatAsync(network.Remote, "ip6tables-save"), await SaveNatAsync(network.Pod, "ip6tables-save"));
            var lo = await network.Pod.RunCheckedAsync(["ip", "-6", "addr", "show", "dev", "lo"]);
            Assert.Contains("inet6 ::6/128", lo.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Install_RunTwice_LeavesIdenticalTables()
    {
        RootOnly.Require();
        await using var network = await PodNetwork.CreateAsync();
        Ipv6Report.IsAvailable(network, output);
        string[] options = ["-x", $"{network.RemoteSecondIPv4}/32,{network.RemoteSecondIPv6}/128", "-o", "9091", "-d", "15090,15021,15020,8081"];

        var first = await CaptureScripts.InstallAsync(network.Pod, options);
        var afterFirst = await CaptureScripts.SnapshotAsync(network.Pod);
        var second = await CaptureScripts.InstallAsync(network.Pod, options);
        var afterSecond = await CaptureScripts.SnapshotAsync(network.Pod);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("-A MESHPROXY_OUTPUT -p tcp -m tcp --dport 9091 -j RETURN", afterFirst, StringComparison.Ordinal);
        Assert.Equal(afterFirst, afterSecond);
    }

    [Fact]
    public async Task Install_AgainWithOtherOptions_ReplacesTheRules()
    {
        RootOnly.Require();
        await using var network = await PodNetwork.CreateAsync();
        Ipv6Report.IsAvailable(network, output);

        var first = await CaptureScripts.InstallAsync(network.Pod, ["-o", "9091", "-d", "8081"]);
        var second = await CaptureScripts.InstallAsync(network.Pod, ["-o", "9092", "-b", "8080"]);
        var fresh = await CaptureScripts.InstallAsync(network.Remote, ["-o", "9092", "-b", "8080"]);

        Assert.True(first.ExitCode == 0 && second.ExitCode == 0 && fresh.ExitCode == 0, $"{first}\n{second}\n{fresh}");
        var replaced = await CaptureScripts.SnapshotAsync(network.Pod);
        Assert.DoesNotContain("9091", replaced, StringComparison.Ordinal);
        Assert.Equal(await CaptureScripts.SnapshotAsync(network.Remote), replaced);
    }

    [Fact]
    public async Task Cleanup_AfterInstall_RestoresTablesExactlyAndKeepsForeignRules()
    {
        RootOnly.Require();
        await using var network = await PodNetwork.CreateAsync();
        var ipv6 = Ipv6Report.IsAvailable(network, output);
        var ns = network.Pod;
        // Someone else's nat rules, around which ours are installed and removed.
        foreach (var iptables in ipv6 ? new[] { "iptables", "ip6tables" } : ["iptables"])
        {
            await ns.RunCheckedAsync([iptables, "-t", "nat", "-N", "FOREIGN"]);
            await ns.RunCheckedAsync([iptables, "-t", "nat", "-A", "FOREIGN", "-p", "tcp", "--dport", "5555", "-j", "RETURN"]);
            await ns.RunCheckedAsync([iptables, "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "5555", "-j", "FOREIGN"]);
            await ns.RunCheckedAsync([iptables, "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "5556", "-j", "RETURN"]);
        }
        var before = await CaptureScripts.SnapshotAsync(ns);

        var install = await CaptureScripts.InstallAsync(ns, ["-x", "10.9.0.0/16", "-o", "9091"]);
        var installed = await CaptureScripts.SnapshotAsync(ns);
        var cleanup = await CaptureScripts.CleanupAsync(ns);
        var afterCleanup = await CaptureScripts.SnapshotAsync(ns);
        var cleanupAgain = await CaptureScripts.CleanupAsync(ns);
        var afterSecondCleanup = await CaptureScripts.SnapshotAsync(ns);

        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Contains("-A OUTPUT -j MESHPROXY_OUTPUT", installed, StringComparison.Ordinal);
        if (ipv6)
        {
            Assert.Contains("inet6 ::6/128", installed, StringComparison.Ordinal);
        }
        Assert.True(cleanup.ExitCode == 0, cleanup.ToString());
        Assert.Equal(before, afterCleanup);
        Assert.True(cleanupAgain.ExitCode == 0, cleanupAgain.ToString());
        Assert.Equal(before, afterSecondCleanup);
        Assert.Contains("-A OUTPUT -p tcp -m tcp --dport 5555 -j FOREIGN", afterSecondCleanup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleanup_Lo6AddressThatWasThereBefore_IsKept()
    {
        RootOnly.Require();
        await using var network = await PodNetwork.CreateAsync();
        if (!Ipv6Report.IsAvailable(network, output))
        {
            return;
        }
        await network.Pod.RunCheckedAsync(["ip", "-6", "addr", "add", "::6/128", "dev", "lo"]);
        var before = await CaptureScripts.SnapshotAsync(network.Pod);

        var install = await CaptureScripts.InstallAsync(network.Pod, []);
        var installed = await CaptureScripts.SnapshotAsync(network.Pod);
        var cleanup = await CaptureScripts.CleanupAsync(network.Pod);

        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.DoesNotContain("MESHPROXY_LO6_ADDED", installed, StringComparison.Ordinal);
        Assert.True(cleanup.ExitCode == 0, cleanup.ToString());
        Assert.Equal(before, await CaptureScripts.SnapshotAsync(network.Pod));
    }

    private static async Task<string> SaveNatAsync(NetworkNamespace ns, string save)
    {
        var result = await ns.RunCheckedAsync([save, "-t", "nat"]);
        return CaptureScripts.NormalizeSave(result.StandardOutput);
    }
}
