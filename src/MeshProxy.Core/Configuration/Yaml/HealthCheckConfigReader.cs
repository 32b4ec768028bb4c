using System.Globalization;
using MeshProxy.Utilities;
using YamlDotNet.RepresentationModel;

namespace MeshProxy.Configuration.Yaml;

/// <summary>Reads a cluster's <c>healthChecks:</c> mapping. Cross-field rules live in HealthValidator.</summary>
internal static class HealthCheckConfigReader
{
    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);

    public static HealthCheckConfig Read(YamlMappingReader map)
    {
        var defaults = new HealthCheckConfig();
        var http = map.Mapping("http") is { } httpMap ? ReadHttp(httpMap) : null;
        var tcp = map.IsPresent("tcp") ? map.Mapping("tcp") is { } tcpMap ? ReadTcp(tcpMap) : TcpHealthCheckConfig.ConnectOnly : null;
        if ((http is null) == (tcp is null))
        {
            map.Error("set exactly one of http (an HTTP GET) or tcp (a connect, optionally with send and receive)");
        }
        var config = new HealthCheckConfig
        {
            Interval = map.Duration("interval", defaults.Interval, OneMillisecond),
            Timeout = map.Duration("timeout", defaults.Timeout, OneMillisecond),
            UnhealthyThreshold = map.Int("unhealthyThreshold", defaults.UnhealthyThreshold, 1, 1000),
            HealthyThreshold = map.Int("healthyThreshold", defaults.HealthyThreshold, 1, 1000),
            NoTrafficInterval = map.Duration("noTrafficInterval", defaults.NoTrafficInterval, OneMillisecond),
            InitialJitter = map.Duration("initialJitter", defaults.InitialJitter),
            Http = http,
            Tcp = tcp,
        };
        map.ReportUnknownKeys();
        return config;
    }

    private static HttpHealthCheckConfig ReadHttp(YamlMappingReader map)
    {
        var path = map.RequiredString("path");
        if (path.Length > 0 && path[0] != '/')
        {
            map.Diagnostics.Error(map.ChildPath("path"), $"'{path}' must start with '/'");
        }
        var config = new HttpHealthCheckConfig
        {
            Path = path,
            Host = map.OptionalString("host"),
            ExpectedStatuses = map.Has("expectedStatuses")
                ? map.ValueList("expectedStatuses", ReadStatusRange)
                : HttpHealthCheckConfig.DefaultExpectedStatuses,
        };
        map.ReportUnknownKeys();
        return config;
    }

    /// <summary>A single status (<c>204</c>) or Envoy's half-open range (<c>{start: 200, end: 300}</c>).</summary>
    private static StatusRange? ReadStatusRange(YamlNodeReader item)
    {
        if (item.Node is YamlScalarNode)
        {
            var text = item.AsString();
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 100 or > 599)
            {
                item.Error($"'{text}' is not an HTTP status from 100 to 599; write a status or {{start: 200, end: 300}} (end excluded)");
                return null;
            }
            return new StatusRange(status, status + 1);
        }
        if (item.AsMapping() is not { } map)
        {
            return null;
        }
        var start = map.Int("start", 0, 100, 599);
        var end = map.Int("end", 0, 101, 600);
        if (!map.Has("start") || !map.Has("end"))
        {
            map.Error("a range needs start and end (end excluded, as in Envoy's Int64Range)");
        }
        else if (start >= end && start > 0 && end > 0)
        {
            map.Error($"start ({start}) must be below end ({end}); end is excluded");
        }
        map.ReportUnknownKeys();
        return start > 0 && end > start ? new StatusRange(start, end) : null;
    }

    private static TcpHealthCheckConfig ReadTcp(YamlMappingReader map)
    {
        var config = new TcpHealthCheckConfig
        {
            Send = map.Take("send") is { } send ? ReadHex(send) ?? EquatableArray<byte>.Empty : EquatableArray<byte>.Empty,
            Receive = map.ValueList("receive", ReadHex),
        };
        map.ReportUnknownKeys();
        return config;
    }

    /// <summary>A payload written in hex, as Envoy's Payload.text ("50494e47" is "PING").</summary>
    private static EquatableArray<byte>? ReadHex(YamlNodeReader item)
    {
        if (item.AsString() is not { } text)
        {
            return null;
        }
        try
        {
            var bytes = Convert.FromHexString(text);
            if (bytes.Length == 0)
            {
                item.Error("must not be empty");
                return null;
            }
            return new EquatableArray<byte>(bytes);
        }
        catch (FormatException)
        {
            item.Error($"'{text}' is not hex bytes (for example 50494e47 for PING)");
            return null;
        }
    }
}
