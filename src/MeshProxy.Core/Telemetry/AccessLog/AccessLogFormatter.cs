using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MeshProxy.Configuration;

namespace MeshProxy.Telemetry.AccessLog;

/// <summary>
/// Formats access-log lines: JSON with Envoy's default fields (Istio's JSON access-log keys), or Envoy's default text
/// format: [START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS RX TX DURATION SERVICE_TIME "XFF" "UA" "ID" "AUTHORITY" "UPSTREAM".
/// </summary>
internal static class AccessLogFormatter
{
    public static void Write(IBufferWriter<byte> output, AccessLogEntry entry, AccessLogFormat format)
    {
        if (format == AccessLogFormat.Json)
        {
            WriteJson(output, entry);
        }
        else
        {
            WriteText(output, entry);
        }
        output.Write("\n"u8);
    }

    private static void WriteJson(IBufferWriter<byte> output, AccessLogEntry entry)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("start_time", entry.StartTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        json.WriteString("direction", entry.Direction);
        json.WriteString("method", entry.Method);
        json.WriteString("path", entry.Path);
        json.WriteString("protocol", entry.Protocol);
        json.WriteNumber("response_code", entry.ResponseCode);
        json.WriteString("response_flags", ResponseFlagsFormatter.ToShortString(entry.ResponseFlags));
        json.WriteString("response_code_details", entry.ResponseCodeDetails);
        json.WriteNumber("bytes_received", entry.BytesReceived);
        json.WriteNumber("bytes_sent", entry.BytesSent);
        json.WriteNumber("duration", Math.Round(entry.DurationMilliseconds, 3));
        if (entry.UpstreamServiceTimeMilliseconds is { } serviceTime)
        {
            json.WriteNumber("upstream_service_time", Math.Round(serviceTime, 3));
        }
        else
        {
            json.WriteNull("upstream_service_time");
        }
        json.WriteString("x_forwarded_for", entry.ForwardedFor);
        json.WriteString("user_agent", entry.UserAgent);
        json.WriteString("request_id", entry.RequestId);
        json.WriteString("authority", entry.Authority);
        json.WriteString("upstream_host", entry.UpstreamHost);
        json.WriteString("upstream_cluster", entry.UpstreamCluster);
        json.WriteString("route_name", entry.RouteName);
        json.WriteString("downstream_remote_address", entry.DownstreamRemoteAddress);
        json.WriteString("downstream_local_address", entry.DownstreamLocalAddress);
        json.WriteString("downstream_peer_principal", entry.PeerPrincipal);
        json.WriteString("requested_server_name", entry.RequestedServerName);
        json.WriteString("upstream_transport_failure_reason", entry.UpstreamFailureReason);
        json.WriteEndObject();
    }

    private static void WriteText(IBufferWriter<byte> output, AccessLogEntry entry)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{entry.StartTime.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}] \"{entry.Method ?? "-"} {entry.Path ?? "-"} {entry.Protocol}\" " +
            $"{entry.ResponseCode} {ResponseFlagsFormatter.ToShortString(entry.ResponseFlags)} {entry.BytesReceived} {entry.BytesSent} " +
            $"{(long)entry.DurationMilliseconds} {(entry.UpstreamServiceTimeMilliseconds is { } t ? ((long)t).ToString(CultureInfo.InvariantCulture) : "-")} " +
            $"\"{entry.ForwardedFor ?? "-"}\" \"{entry.UserAgent ?? "-"}\" \"{entry.RequestId ?? "-"}\" \"{entry.Authority ?? "-"}\" \"{entry.UpstreamHost ?? "-"}\"");
        var bytes = Encoding.UTF8.GetByteCount(line);
        var span = output.GetSpan(bytes);
        Encoding.UTF8.GetBytes(line, span);
        output.Advance(bytes);
    }
}
