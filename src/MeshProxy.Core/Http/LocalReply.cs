using MeshProxy.Telemetry;
using Microsoft.AspNetCore.Http;

namespace MeshProxy.Http;

/// <summary>Responses the proxy makes itself, with Envoy's status codes and bodies.</summary>
public static class LocalReply
{
    public const string NoHealthyUpstream = "no healthy upstream";
    public const string UpstreamRequestTimeout = "upstream request timeout";
    public const string AccessDenied = "RBAC: access denied";

    public const string MaxStreamDurationReached = "upstream max stream duration reached";

    /// <summary>Envoy's body for an upstream that failed before its response headers; after retries it names the latest reason.</summary>
    public static string ResetBeforeHeaders(string reason, bool retried = false)
        => (retried ? "upstream connect error or disconnect/reset before headers. retried and the latest reset reason: " : "upstream connect error or disconnect/reset before headers. reset reason: ") + reason;

    /// <summary>Writes a plain-text reply, unless the response has already started (then the stream is reset instead).</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string body, bool overloaded = false)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }
        response.Clear();
        response.StatusCode = statusCode;
        if (overloaded)
        {
            response.Headers["x-envoy-overloaded"] = "true";
        }
        if (body.Length == 0)
        {
            response.ContentLength = 0;
            return Task.CompletedTask;
        }
        response.ContentType = "text/plain";
        response.ContentLength = body.Length;
        return response.WriteAsync(body, context.RequestAborted);
    }
}
