using System.Text.Json;
using MeshProxy.Listeners;
using MeshProxy.Runtime;
using MeshProxy.Security;
using MeshProxy.Telemetry;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace MeshProxy.Admin;

/// <summary>
/// Serves the proxy's own endpoints. Admin (localhost only): /ready, /config_dump, /clusters, /stats,
/// POST /quitquitquit. Readiness (for the kubelet): /healthz/ready. Metrics: /stats/prometheus.
/// </summary>
internal sealed class AdminRequestHandler
{
    private const string Help = """
        meshproxy admin
          GET  /ready          200 when listeners are up and config is loaded; 503 while draining
          GET  /config_dump    the effective config as JSON
          GET  /clusters       clusters and endpoints with their health and counters
          GET  /stats          cluster counters as text
          POST /quitquitquit   drain gracefully, then exit 0

        """;

    private readonly ConfigManager _configManager;
    private readonly ListenerManager _listeners;
    private readonly DrainController _drain;
    private readonly ProxyMetrics _metrics;
    private readonly StatsRegistry _stats;
    private readonly MeshIdentity _identity;

    public AdminRequestHandler(ConfigManager configManager, ListenerManager listeners, DrainController drain, ProxyMetrics metrics, StatsRegistry stats, MeshIdentity identity)
    {
        _identity = identity;
        _stats = stats;
        _configManager = configManager;
        _listeners = listeners;
        _drain = drain;
        _metrics = metrics;
    }

    /// <summary>Config applied, every listener up, an SVID loaded when mTLS is configured, and not draining.</summary>
    public bool IsReady => _configManager.HasConfig && _listeners.AllListenersUp && _identity.HasIdentity && !_drain.IsDraining;

    public Task HandleAsync(HttpContext context)
    {
        var role = context.Features.Get<ServerRoleFeature>()?.Role ?? ServerRole.Admin;
        var method = context.Request.Method;
        var path = context.Request.Path.Value ?? "/";
        return (role, path) switch
        {
            (ServerRole.Readiness, "/healthz/ready") => ReadyAsync(context),
            (ServerRole.Metrics, "/stats/prometheus") => PrometheusAsync(context),
            (ServerRole.Admin, "/ready") => ReadyAsync(context),
            (ServerRole.Admin, "/config_dump") => ConfigDumpAsync(context),
            (ServerRole.Admin, "/clusters") => TextAsync(context, ClustersWriter.WriteClusters(_configManager.Current, _stats)),
            (ServerRole.Admin, "/stats") => TextAsync(context, ClustersWriter.WriteStats(_configManager.Current, _stats)),
            (ServerRole.Admin, "/quitquitquit") when HttpMethods.IsPost(method) => QuitAsync(context),
            (ServerRole.Admin, "/quitquitquit") => StatusAsync(context, StatusCodes.Status405MethodNotAllowed, "use POST\n"),
            (ServerRole.Admin, "/") => TextAsync(context, Help),
            _ => StatusAsync(context, StatusCodes.Status404NotFound, "not found\n"),
        };
    }

    private Task ReadyAsync(HttpContext context)
    {
        if (IsReady)
        {
            return TextAsync(context, "LIVE\n");
        }
        var state = _drain.IsDraining ? "DRAINING\n" : _identity.HasIdentity ? "PRE_INITIALIZING\n" : "PRE_INITIALIZING: waiting for this proxy's SVID\n";
        return StatusAsync(context, StatusCodes.Status503ServiceUnavailable, state);
    }

    private async Task ConfigDumpAsync(HttpContext context)
    {
        var snapshot = _configManager.Current;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Indented = true });
        ConfigDumpWriter.Write(json, snapshot.Config, snapshot.Version);
        await json.FlushAsync(context.RequestAborted);
    }

    private async Task PrometheusAsync(HttpContext context)
    {
        context.Response.ContentType = PrometheusConstants.TextContentTypeWithVersionAndEncoding;
        await _metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }

    private Task QuitAsync(HttpContext context)
    {
        _drain.RequestShutdown();
        return TextAsync(context, "OK\n");
    }

    private static Task TextAsync(HttpContext context, string body) => StatusAsync(context, StatusCodes.Status200OK, body);

    private static Task StatusAsync(HttpContext context, int statusCode, string body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }
}
