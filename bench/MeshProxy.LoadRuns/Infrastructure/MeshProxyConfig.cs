using System.Text.Json;

namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>
/// Builds meshproxy configs as nested maps and writes them as JSON, which YAML reads as it is (flow style), so the
/// contenders compose listeners, route tables and clusters without indentation arithmetic. Keys and values are
/// docs/configuration.md's; null is YAML's empty value (e.g. <c>metricsAddress:</c> off).
/// </summary>
internal static class MeshProxyConfig
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>node, admin (readiness off; metrics off unless given) and empty listeners, routeTables and clusters.</summary>
    public static Dictionary<string, object?> Document(int adminPort, string? metricsAddress = null) => new()
    {
        ["node"] = new Dictionary<string, object?> { ["service"] = "bench" },
        ["admin"] = new Dictionary<string, object?>
        {
            ["address"] = $"127.0.0.1:{adminPort}",
            ["readinessAddress"] = null,
            ["metricsAddress"] = metricsAddress,
        },
        ["listeners"] = new List<object?>(),
        ["routeTables"] = new List<object?>(),
        ["clusters"] = new List<object?>(),
    };

    /// <summary>An explicit HTTP listener (protocol auto, sniffed once per connection) on a route table.</summary>
    public static Dictionary<string, object?> HttpListener(string name, string address, string routeTable) => new()
    {
        ["name"] = name,
        ["address"] = address,
        ["protocol"] = "auto",
        ["http"] = new Dictionary<string, object?> { ["routeTable"] = routeTable },
    };

    /// <summary>A route table with one virtual host (<c>*</c>) whose route <c>/</c> goes to one cluster.</summary>
    public static Dictionary<string, object?> RouteTable(string name, string cluster, string timeout = "15s") => new()
    {
        ["name"] = name,
        ["virtualHosts"] = new List<object?>
        {
            new Dictionary<string, object?>
            {
                ["name"] = "all",
                ["domains"] = new[] { "*" },
                ["routes"] = new List<object?>
                {
                    new Dictionary<string, object?>
                    {
                        ["match"] = new Dictionary<string, object?> { ["prefix"] = "/" },
                        ["cluster"] = cluster,
                        ["timeout"] = timeout,
                    },
                },
            },
        },
    };

    /// <summary>The single virtual host of a table made by <see cref="RouteTable"/> (to add policies to it).</summary>
    public static Dictionary<string, object?> VirtualHost(Dictionary<string, object?> routeTable)
        => (Dictionary<string, object?>)((List<object?>)routeTable["virtualHosts"]!)[0]!;

    public static Dictionary<string, object?> Cluster(string name, params string[] endpoints) => new()
    {
        ["name"] = name,
        ["endpoints"] = endpoints.Select(e => (object?)new Dictionary<string, object?> { ["address"] = e }).ToList(),
    };

    /// <summary>The identity section for an SVID folder written by <c>meshproxy ca issue</c>.</summary>
    public static Dictionary<string, object?> Identity(string svidDirectory) => new()
    {
        ["files"] = new Dictionary<string, object?>
        {
            ["certificateChain"] = Path.Combine(svidDirectory, "svid.pem"),
            ["privateKey"] = Path.Combine(svidDirectory, "svid-key.pem"),
            ["bundle"] = Path.Combine(svidDirectory, "bundle.pem"),
        },
    };

    public static List<object?> Listeners(Dictionary<string, object?> document) => (List<object?>)document["listeners"]!;

    public static List<object?> RouteTables(Dictionary<string, object?> document) => (List<object?>)document["routeTables"]!;

    public static List<object?> Clusters(Dictionary<string, object?> document) => (List<object?>)document["clusters"]!;

    /// <summary>Writes the config readable by everyone (a proxy in a namespace runs as uid 1337).</summary>
    public static async Task<string> WriteAsync(string path, Dictionary<string, object?> document)
    {
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, Indented) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        return path;
    }
}
