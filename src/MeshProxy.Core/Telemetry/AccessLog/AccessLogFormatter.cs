using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MeshProxy.Configuration;

namespace MeshProxy.Telemetry.AccessLog;

/// <summary>
/// Formats access-log lines: JSON with Envoy's default fields (Istio's JSON access-log keys), or Envoy's default text
/// format: [START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS RX TX DURATION SERVICE_TIME "XFF" "UA" "ID" "AUTHORITY" "UPSTREAM".
/// One formatter per writer task: it reuses its JSON writer from line to line.
/// </summary>
internal sealed class AccessLogFormatter(AccessLogFormat format)
{
    private Utf8JsonWriter? _json;

    public void Write(IBufferWriter<byte> output, AccessLogEntry entry)
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

    private void WriteJson(IBufferWriter<byte> output, AccessLogEntry entry)
    {
        var json = _json ??= new Utf8JsonWriter(output);
        json.Reset(output);
        json.WriteStartObject();
        Span<byte> startTime = stackalloc byte[32];
        entry.StartTime.UtcDateTime.TryFormat(startTime, out var length, "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        json.WriteString("start_time"u8, startTime[..length]);
        json.WriteString("direction"u8, entry.Direction);
        json.WriteString("method"u8, entry.Method);
        json.WriteString("path"u8, entry.Path);
        json.WriteString("protocol"u8, entry.Protocol);
        json.WriteNumber("response_code"u8, entry.ResponseCode);
        json.WriteString("response_flags"u8, ResponseFlagsFormatter.ToShortString(entry.ResponseFlags));
        json.WriteString("response_code_details"u8, entry.ResponseCodeDetails);
        json.WriteNumber("bytes_received"u8, entry.BytesReceived);
        json.WriteNumber("bytes_sent"u8, entry.BytesSent);
        json.WriteNumber("duration"u8, Math.Round(entry.DurationMilliseconds, 3));
        if (entry.UpstreamServiceTimeMilliseconds is { } serviceTime)
        {
            json.WriteNumber("upstream_service_time"u8, Math.Round(serviceTime, 3));
        }
        else
        {
            json.WriteNull("upstream_service_time"u8);
        }
        json.WriteString("x_forwarded_for"u8, entry.ForwardedFor);
        json.WriteString("user_agent"u8, entry.UserAgent);
        json.WriteString("request_id"u8, entry.RequestId);
        json.WriteString("authority"u8, entry.Authority);
        json.WriteString("upstream_host"u8, entry.UpstreamHost);
        json.WriteString("upstream_cluster"u8, entry.UpstreamCluster);
        json.WriteString("route_name"u8, entry.RouteName);
        json.WriteString("downstream_remote_address"u8, entry.DownstreamRemoteAddress);
        json.WriteString("downstream_local_address"u8, entry.DownstreamLocalAddress);
        json.WriteString("downstream_peer_principal"u8, entry.PeerPrincipal);
        json.WriteString("requested_server_name"u8, entry.RequestedServerName);
        json.WriteString("upstream_transport_failure_reason"u8, entry.UpstreamFailureReason);
        json.WriteEndObject();
        json.Flush();
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
