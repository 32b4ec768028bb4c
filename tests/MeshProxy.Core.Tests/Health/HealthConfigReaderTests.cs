using System.Text;
using System.Text.Json;
using MeshProxy.Admin;
using MeshProxy.Configuration;
using Xunit;
using static MeshProxy.Tests.Configuration.LoadBalancerConfigReaderTests;

namespace MeshProxy.Tests.Health;

/// <summary>The healthChecks: and outlierDetection: sections: values, defaults, errors with their paths, and the dump.</summary>
public sealed class HealthConfigReaderTests
{
    [Fact]
    public void Read_NoSections_NeitherIsOn()
    {
        var cluster = Load(Cluster()).Clusters[0];

        Assert.Null(cluster.HealthChecks);
        Assert.Null(cluster.OutlierDetection);
    }

    [Fact]
    public void Read_MinimalSections_UseDefaults()
    {
        var cluster = Load(Cluster("healthChecks: {http: {path: /healthz}}", "outlierDetection: {}")).Clusters[0];

        Assert.Equal(new HealthCheckConfig { Http = new HttpHealthCheckConfig { Path = "/healthz" } }, cluster.HealthChecks);
        Assert.Equal(OutlierDetectionConfig.Default, cluster.OutlierDetection);
    }

    [Fact]
    public void Read_EveryHealthCheckSetting_IsRead()
    {
        var check = Load(Cluster("""
            healthChecks:
                  interval: 2s
                  timeout: 250ms
                  unhealthyThreshold: 4
                  healthyThreshold: 1
                  noTrafficInterval: 30s
                  initialJitter: 100ms
                  http:
                    path: /ready
                    host: reviews.internal
                    expectedStatuses: [204, {start: 200, end: 300}]
            """)).Clusters[0].HealthChecks!;

        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(250), 4, 1), (check.Interval, check.Timeout, check.UnhealthyThreshold, check.HealthyThreshold));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)), (check.NoTrafficInterval, check.InitialJitter));
        Assert.Equal("/ready", check.Http!.Path);
        Assert.Equal("reviews.internal", check.Http.Host);
        Assert.Equal([new StatusRange(204, 205), new StatusRange(200, 300)], check.Http.ExpectedStatuses.ToArray());
        Assert.Null(check.Tcp);
    }

    [Theory]
    [InlineData("healthChecks: {tcp: {}}")]
    [InlineData("healthChecks: {tcp: ~}")]
    public void Read_TcpConnectOnly_IsRead(string section)
    {
        var check = Load(Cluster(section)).Clusters[0].HealthChecks!;

        Assert.Equal(TcpHealthCheckConfig.ConnectOnly, check.Tcp);
        Assert.Null(check.Http);
    }

    [Fact]
    public void Read_TcpSendReceive_AreHex()
    {
        var tcp = Load(Cluster("healthChecks: {tcp: {send: 50494e47, receive: [504f, 4e47]}}")).Clusters[0].HealthChecks!.Tcp!;

        Assert.Equal("PING"u8.ToArray(), tcp.Send.ToArray());
        Assert.Equal(["PO", "NG"], tcp.Receive.Select(b => Encoding.ASCII.GetString(b.ToArray())).ToArray());
    }

    [Fact]
    public void Read_EveryOutlierSetting_IsRead()
    {
        var od = Load(Cluster("""
            outlierDetection:
                  consecutive5xx: 3
                  consecutiveGatewayFailure: 4
                  consecutiveLocalOriginFailure: 6
                  interval: 1s
                  baseEjectionTime: 2s
                  maxEjectionTime: 20s
                  maxEjectionTimeJitter: 500ms
                  maxEjectionPercent: 50
                  alwaysEjectOneHost: true
                  enforcingConsecutive5xx: 90
                  enforcingConsecutiveGatewayFailure: 80
                  enforcingConsecutiveLocalOriginFailure: 70
                  enforcingSuccessRate: 60
                  enforcingLocalOriginSuccessRate: 50
                  successRateMinimumHosts: 3
                  successRateRequestVolume: 20
                  successRateStdevFactor: 1000
                  failurePercentageThreshold: 75
                  enforcingFailurePercentage: 40
                  enforcingFailurePercentageLocalOrigin: 30
                  failurePercentageMinimumHosts: 2
                  failurePercentageRequestVolume: 10
                  splitExternalLocalOriginErrors: true
                  successfulActiveHealthCheckUnejectHost: false
            """)).Clusters[0].OutlierDetection!;

        Assert.Equal(new OutlierDetectionConfig
        {
            Consecutive5xx = 3,
            ConsecutiveGatewayFailure = 4,
            ConsecutiveLocalOriginFailure = 6,
            Interval = TimeSpan.FromSeconds(1),
            BaseEjectionTime = TimeSpan.FromSeconds(2),
            MaxEjectionTime = TimeSpan.FromSeconds(20),
            MaxEjectionTimeJitter = TimeSpan.FromMilliseconds(500),
            MaxEjectionPercent = 50,
            AlwaysEjectOneHost = true,
            EnforcingConsecutive5xx = 90,
            EnforcingConsecutiveGatewayFailure = 80,
            EnforcingConsecutiveLocalOriginFailure = 70,
            EnforcingSuccessRate = 60,
            EnforcingLocalOriginSuccessRate = 50,
            SuccessRateMinimumHosts = 3,
            SuccessRateRequestVolume = 20,
            SuccessRateStdevFactor = 1000,
            FailurePercentageThreshold = 75,
            EnforcingFailurePercentage = 40,
            EnforcingFailurePercentageLocalOrigin = 30,
            FailurePercentageMinimumHosts = 2,
            FailurePercentageRequestVolume = 10,
            SplitExternalLocalOriginErrors = true,
            SuccessfulActiveHealthCheckUnejectHost = false,
        }, od);
    }

    [Fact] // Records compare by value, so an unchanged section keeps the cluster (and its checker) across reloads.
    public void Read_SameSectionsTwice_ConfigsAreEqual()
    {
        var yaml = Cluster("healthChecks: {tcp: {send: 0a, receive: [0b]}}", "outlierDetection: {consecutive5xx: 3}");

        Assert.Equal(Load(yaml).Clusters[0], Load(yaml).Clusters[0]);
    }

    [Theory]
    [InlineData("healthChecks: {interval: 5s}", "clusters[0].healthChecks", "exactly one of http")]
    [InlineData("healthChecks: {http: {path: /}, tcp: {}}", "clusters[0].healthChecks", "exactly one of http")]
    [InlineData("healthChecks: {http: {}}", "clusters[0].healthChecks.http.path", "is required")]
    [InlineData("healthChecks: {http: {path: healthz}}", "clusters[0].healthChecks.http.path", "must start with '/'")]
    [InlineData("healthChecks: {http: {path: /, expectedStatuses: [700]}}", "clusters[0].healthChecks.http.expectedStatuses[0]", "not an HTTP status")]
    [InlineData("healthChecks: {http: {path: /, expectedStatuses: [{start: 300, end: 200}]}}", "clusters[0].healthChecks.http.expectedStatuses[0]", "must be below end")]
    [InlineData("healthChecks: {http: {path: /, expectedStatuses: [{start: 200}]}}", "clusters[0].healthChecks.http.expectedStatuses[0]", "needs start and end")]
    [InlineData("healthChecks: {http: {path: /}, timeout: 0s}", "clusters[0].healthChecks.timeout", "too short")]
    [InlineData("healthChecks: {http: {path: /}, unhealthyThreshold: 0}", "clusters[0].healthChecks.unhealthyThreshold", "out of range")]
    [InlineData("healthChecks: {http: {path: /}, intervall: 1s}", "clusters[0].healthChecks.intervall", "did you mean 'interval'")]
    [InlineData("healthChecks: {tcp: {send: zz}}", "clusters[0].healthChecks.tcp.send", "not hex bytes")]
    [InlineData("outlierDetection: {maxEjectionPercent: 101}", "clusters[0].outlierDetection.maxEjectionPercent", "out of range")]
    [InlineData("outlierDetection: {enforcingSuccessRate: -1}", "clusters[0].outlierDetection.enforcingSuccessRate", "out of range")]
    [InlineData("outlierDetection: {interval: 0s}", "clusters[0].outlierDetection.interval", "too short")]
    [InlineData("outlierDetection: {consecutive5XX: 3}", "clusters[0].outlierDetection.consecutive5XX", "did you mean 'consecutive5xx'")]
    public void Read_BadValue_ReportsPathAndReason(string section, string path, string reason)
    {
        var errors = Errors(Cluster(section));

        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(reason, StringComparison.Ordinal) && e.Line > 0);
    }

    [Fact] // Envoy refuses max_ejection_time below base_ejection_time.
    public void Validate_MaxEjectionTimeBelowBase_Rejected()
    {
        var errors = Errors(Cluster("outlierDetection: {baseEjectionTime: 60s, maxEjectionTime: 30s}"));

        Assert.Contains(errors, e => e.Path == "clusters[0].outlierDetection.maxEjectionTime" && e.Message.Contains("shorter than baseEjectionTime", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_OriginalDestinationCluster_RejectsBothSections()
    {
        var errors = Errors("""
            clusters:
              - name: passthrough
                type: originalDestination
                healthChecks: {tcp: {}}
                outlierDetection: {}
            """);

        Assert.Contains(errors, e => e.Path == "clusters[0].healthChecks" && e.Message.Contains("no endpoints to check", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "clusters[0].outlierDetection" && e.Message.Contains("no endpoints to eject", StringComparison.Ordinal));
    }

    [Fact]
    public void Dump_BothSections_HaveEveryDefault()
    {
        var config = Load(Cluster("healthChecks: {http: {path: /healthz}}", "outlierDetection: {}"));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            ConfigDumpWriter.Write(json, config, 1);
        }

        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        var cluster = document.RootElement.GetProperty("clusters")[0];
        var check = cluster.GetProperty("healthChecks");
        Assert.Equal("5s", check.GetProperty("interval").GetString());
        Assert.Equal("1s", check.GetProperty("timeout").GetString());
        Assert.Equal(3, check.GetProperty("unhealthyThreshold").GetInt32());
        Assert.Equal("1m", check.GetProperty("noTrafficInterval").GetString());
        Assert.Equal(200, check.GetProperty("http").GetProperty("expectedStatuses")[0].GetProperty("start").GetInt32());
        var od = cluster.GetProperty("outlierDetection");
        Assert.Equal(5, od.GetProperty("consecutive5xx").GetInt32());
        Assert.Equal("5m", od.GetProperty("maxEjectionTime").GetString());
        Assert.Equal(0, od.GetProperty("enforcingConsecutiveGatewayFailure").GetInt32());
        Assert.Equal(1900, od.GetProperty("successRateStdevFactor").GetInt32());
        Assert.True(od.GetProperty("successfulActiveHealthCheckUnejectHost").GetBoolean());
    }

    private static string Cluster(params string[] sections)
    {
        var text = string.Concat(sections.SelectMany(s => s.ReplaceLineEndings("\n").Split('\n')).Select(line => "    " + line + "\n"));
        return $"clusters:\n  - name: backend\n{text}    endpoints: [{{address: 127.0.0.1:9001}}]\n";
    }

}
