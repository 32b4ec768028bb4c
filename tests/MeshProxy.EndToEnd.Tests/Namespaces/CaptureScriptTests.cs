using MeshProxy.TestSupport.Namespaces;
using Xunit;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// iptables/meshproxy-iptables.sh without applying anything: --dry-run output against Istio's golden rules
/// (tools/istio-iptables/pkg/capture/testdata/inbound-ports-wildcard.golden with our chain names), option
/// handling and argument errors. These need neither root nor a namespace.
/// </summary>
public sealed class CaptureScriptTests
{
    [Fact]
    public async Task DryRun_Defaults_PrintsIstioGoldenRulesForBothFamilies()
    {
        var result = await CaptureScripts.RunHereAsync(CaptureScripts.Install, ["--dry-run", "--ipv6"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("# iptables-restore --noflush\n" + IstioGolden.DefaultRules("127.0.0.6/32", "127.0.0.1/32")
            + "# ip -6 addr add ::6/128 dev lo (when absent; then also :MESHPROXY_LO6_ADDED, which records that)\n"
            + "# ip6tables-restore --noflush\n" + IstioGolden.DefaultRules("::6/128", "::1/128"), result.StandardOutput);
    }

    [Fact]
    public async Task DryRun_Exclusions_AreReturnedWhereIstioPutsThem()
    {
        var result = await CaptureScripts.RunHereAsync(CaptureScripts.Install,
            ["-n", "--ipv6", "-x", "10.0.0.0/8, fd00::/8,192.168.1.1", "-o", "9091,9092", "-d", "15090,15021,8081"]);

        Assert.Equal(0, result.ExitCode);
        var ipv4 = Section(result.StandardOutput, "# iptables-restore");
        Assert.Equal(IstioGolden.Chains + """
            -A PREROUTING -p tcp -j MESHPROXY_INBOUND
            -A MESHPROXY_INBOUND -p tcp --dport 15090 -j RETURN
            -A MESHPROXY_INBOUND -p tcp --dport 15021 -j RETURN
            -A MESHPROXY_INBOUND -p tcp --dport 8081 -j RETURN
            -A MESHPROXY_INBOUND -p tcp -j MESHPROXY_IN_REDIRECT
            -A OUTPUT -j MESHPROXY_OUTPUT
            -A MESHPROXY_OUTPUT -p tcp --dport 9091 -j RETURN
            -A MESHPROXY_OUTPUT -p udp --dport 9091 -j RETURN
            -A MESHPROXY_OUTPUT -p tcp --dport 9092 -j RETURN
            -A MESHPROXY_OUTPUT -p udp --dport 9092 -j RETURN
            -A MESHPROXY_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN
            -A MESHPROXY_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j MESHPROXY_IN_REDIRECT
            -A MESHPROXY_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN
            -A MESHPROXY_OUTPUT -m owner --uid-owner 1337 -j RETURN
            -A MESHPROXY_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j MESHPROXY_IN_REDIRECT
            -A MESHPROXY_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN
            -A MESHPROXY_OUTPUT -m owner --gid-owner 1337 -j RETURN
            -A MESHPROXY_OUTPUT -d 127.0.0.1/32 -j RETURN
            -A MESHPROXY_OUTPUT -d 10.0.0.0/8 -j RETURN
            -A MESHPROXY_OUTPUT -d 192.168.1.1/32 -j RETURN
            -A MESHPROXY_OUTPUT -j MESHPROXY_REDIRECT
            COMMIT

            """, ipv4);
        var ipv6 = Section(result.StandardOutput, "# ip6tables-restore");
        Assert.Contains("-A MESHPROXY_OUTPUT -d ::1/128 -j RETURN\n-A MESHPROXY_OUTPUT -d fd00::/8 -j RETURN\n-A MESHPROXY_OUTPUT -j MESHPROXY_REDIRECT\n", ipv6, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.0/8", ipv6, StringComparison.Ordinal);
        Assert.DoesNotContain("fd00::/8", ipv4, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_ExplicitIncludes_CaptureOnlyThoseDestinationsAndPorts()
    {
        var result = await CaptureScripts.RunHereAsync(CaptureScripts.Install,
            ["--dry-run", "--no-ipv6", "--include-outbound-cidrs=10.1.0.0/16", "--include-inbound-ports", "8080,9090", "-p", "16001", "-z", "16006"]);

        Assert.Equal(0, result.ExitCode);
        var rules = result.StandardOutput;
        Assert.Contains("-A MESHPROXY_REDIRECT -p tcp -j REDIRECT --to-ports 16001\n", rules, StringComparison.Ordinal);
        Assert.Contains("-A MESHPROXY_IN_REDIRECT -p tcp -j REDIRECT --to-ports 16006\n", rules, StringComparison.Ordinal);
        Assert.Contains("""
            -A PREROUTING -p tcp -j MESHPROXY_INBOUND
            -A MESHPROXY_INBOUND -p tcp --dport 8080 -j MESHPROXY_IN_REDIRECT
            -A MESHPROXY_INBOUND -p tcp --dport 9090 -j MESHPROXY_IN_REDIRECT
            -A OUTPUT -j MESHPROXY_OUTPUT

            """, rules, StringComparison.Ordinal);
        Assert.EndsWith("-A MESHPROXY_OUTPUT -d 127.0.0.1/32 -j RETURN\n-A MESHPROXY_OUTPUT -d 10.1.0.0/16 -j MESHPROXY_REDIRECT\nCOMMIT\n", rules, StringComparison.Ordinal);
        Assert.DoesNotContain("ip6tables", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_EmptyIncludes_DisableThatDirection()
    {
        var result = await CaptureScripts.RunHereAsync(CaptureScripts.Install, ["--dry-run", "--no-ipv6", "-i", "", "-b", ""]);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("-A PREROUTING", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("-j MESHPROXY_REDIRECT", result.StandardOutput, StringComparison.Ordinal);
        // The proxy's calls to its own pod still enter the inbound listener, as in Istio.
        Assert.Contains("--uid-owner 1337 -j MESHPROXY_IN_REDIRECT", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_LoopbackInclude_KeepsAppLoopbackCaptured()
    {
        // Istio drops the "-o lo ! --uid-owner RETURN" rules when an include range is a loopback range.
        var result = await CaptureScripts.RunHereAsync(CaptureScripts.Install, ["--dry-run", "--no-ipv6", "-i", "127.0.0.0/8,10.0.0.0/8", "-u", "1337,1338", "-g", "1337"]);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("-o lo -m owner !", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("-A MESHPROXY_OUTPUT -m owner --uid-owner 1338 -j RETURN\n", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("-A MESHPROXY_OUTPUT -d 127.0.0.0/8 -j MESHPROXY_REDIRECT\n", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_EnvironmentVariables_ActAsFlags()
    {
        var environment = new Dictionary<string, string>
        {
            ["MESHPROXY_PROXY_PORT"] = "16001",
            ["MESHPROXY_PROXY_UID"] = "2000",
            ["MESHPROXY_EXCLUDE_OUTBOUND_CIDRS"] = "10.9.0.0/16",
            ["MESHPROXY_IPV6"] = "false",
            ["MESHPROXY_DRY_RUN"] = "true",
        };

        var result = await CaptureScripts.RunHereAsync(CaptureScripts.Install, [], environment);
        var flagged = await CaptureScripts.RunHereAsync(CaptureScripts.Install, ["-n", "--no-ipv6", "-p", "16001", "-u", "2000", "-x", "10.9.0.0/16"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--uid-owner 2000 -j RETURN", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(flagged.StandardOutput, result.StandardOutput);
    }

    [Theory]
    [InlineData("-p 0", "--proxy-port: '0' is not a port number (1-65535)")]
    [InlineData("--proxy-port=65536", "--proxy-port: '65536' is not a port number (1-65535)")]
    [InlineData("-z 15001", "--proxy-port and --inbound-port must differ (both 15001)")]
    [InlineData("-u 13x7", "--proxy-uid: '13x7' is not a numeric id")]
    [InlineData("-g ,", "--proxy-gid: needs at least one id")]
    [InlineData("-x 10.0.0.256/8", "--exclude-outbound-cidrs: '10.0.0.256/8' is not an IPv4 or IPv6 CIDR")]
    [InlineData("-i 10.0.0.0/33", "--include-outbound-cidrs: '10.0.0.0/33' is not an IPv4 or IPv6 CIDR")]
    [InlineData("-x fd00:::1/64", "--exclude-outbound-cidrs: 'fd00:::1/64' is not an IPv4 or IPv6 CIDR")]
    [InlineData("-b 80,http", "--include-inbound-ports: 'http' is not a port number (1-65535)")]
    [InlineData("-d *", "--exclude-inbound-ports: '*' is not allowed here")]
    [InlineData("-o", "option -o needs a value")]
    [InlineData("--mode TPROXY", "unknown option '--mode'")]
    public async Task InvalidArgument_ExitsTwoWithClearError(string arguments, string error)
    {
        var result = await CaptureScripts.RunHereAsync(CaptureScripts.Install, ["--dry-run", .. arguments.Split(' ')]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        Assert.Contains($"meshproxy-iptables: {error}\n", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_DescribesEveryOptionAndItsEnvironmentVariable()
    {
        var result = await CaptureScripts.RunHereAsync(CaptureScripts.Install, ["--help"]);

        Assert.Equal(0, result.ExitCode);
        foreach (var text in new[]
        {
            "--proxy-port", "--inbound-port", "--inbound-tunnel-port", "--proxy-uid", "--proxy-gid", "--include-outbound-cidrs",
            "--exclude-outbound-cidrs", "--exclude-outbound-ports", "--include-inbound-ports", "--exclude-inbound-ports", "--ipv6",
            "--no-ipv6", "--dry-run", "MESHPROXY_PROXY_PORT", "MESHPROXY_IPV6", "[15090,15021,15020]",
        })
        {
            Assert.Contains(text, result.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Cleanup_UnknownOption_ExitsTwoAndChangesNothing()
    {
        var result = await CaptureScripts.RunHereAsync(CaptureScripts.Cleanup, ["--flush-everything"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("meshproxy-iptables-cleanup: unknown option '--flush-everything'", result.StandardError, StringComparison.Ordinal);
    }

    /// <summary>The ruleset that follows <paramref name="header"/> in a dry run, up to and including its COMMIT.</summary>
    private static string Section(string output, string header)
    {
        var start = output.IndexOf('\n', output.IndexOf(header, StringComparison.Ordinal)) + 1;
        var end = output.IndexOf("COMMIT\n", start, StringComparison.Ordinal) + "COMMIT\n".Length;
        return output[start..end];
    }
}
