using System.Text;

namespace MeshProxy.Telemetry;

/// <summary>
/// Envoy's response flags (%RESPONSE_FLAGS%): why a request or connection ended the way it did.
/// Recorded per request and connection for the access log and the response_flags metric label.
/// </summary>
[Flags]
public enum ResponseFlags : uint
{
    None = 0,

    /// <summary>UH: no healthy upstream host (503).</summary>
    NoHealthyUpstream = 1 << 0,

    /// <summary>UF: upstream connection failure (503).</summary>
    UpstreamConnectionFailure = 1 << 1,

    /// <summary>UO: upstream overflow, a circuit breaker was full (503).</summary>
    UpstreamOverflow = 1 << 2,

    /// <summary>NR: no route matched (404), or no listener path for a connection.</summary>
    NoRouteFound = 1 << 3,

    /// <summary>URX: the retry limit was reached.</summary>
    UpstreamRetryLimitExceeded = 1 << 4,

    /// <summary>NC: the route named a cluster that does not exist.</summary>
    NoClusterFound = 1 << 5,

    /// <summary>DT: max connection or stream duration reached.</summary>
    DurationTimeout = 1 << 6,

    /// <summary>DC: the downstream connection went away.</summary>
    DownstreamConnectionTermination = 1 << 7,

    /// <summary>UT: upstream request timeout (504).</summary>
    UpstreamRequestTimeout = 1 << 8,

    /// <summary>LR: the proxy reset the upstream stream.</summary>
    LocalReset = 1 << 9,

    /// <summary>UR: the upstream reset the stream.</summary>
    UpstreamRemoteReset = 1 << 10,

    /// <summary>UC: the upstream connection ended.</summary>
    UpstreamConnectionTermination = 1 << 11,

    /// <summary>SI: stream idle timeout.</summary>
    StreamIdleTimeout = 1 << 12,

    /// <summary>DPE: the downstream request had an HTTP protocol error.</summary>
    DownstreamProtocolError = 1 << 13,

    /// <summary>UPE: the upstream response had an HTTP protocol error.</summary>
    UpstreamProtocolError = 1 << 14,

    /// <summary>UMSDR: the upstream request reached its max stream duration.</summary>
    UpstreamMaxStreamDurationReached = 1 << 15,

    /// <summary>DR: the downstream reset the stream.</summary>
    DownstreamRemoteReset = 1 << 16,
}

/// <summary>Formats flags as Envoy does: short names joined by ",", or "-" when there are none.</summary>
public static class ResponseFlagsFormatter
{
    private static readonly (ResponseFlags Flag, string Short)[] Names =
    [
        (ResponseFlags.DownstreamConnectionTermination, "DC"),
        (ResponseFlags.NoHealthyUpstream, "UH"),
        (ResponseFlags.UpstreamRequestTimeout, "UT"),
        (ResponseFlags.LocalReset, "LR"),
        (ResponseFlags.UpstreamRemoteReset, "UR"),
        (ResponseFlags.UpstreamConnectionFailure, "UF"),
        (ResponseFlags.UpstreamConnectionTermination, "UC"),
        (ResponseFlags.UpstreamOverflow, "UO"),
        (ResponseFlags.NoRouteFound, "NR"),
        (ResponseFlags.UpstreamRetryLimitExceeded, "URX"),
        (ResponseFlags.StreamIdleTimeout, "SI"),
        (ResponseFlags.DownstreamProtocolError, "DPE"),
        (ResponseFlags.UpstreamMaxStreamDurationReached, "UMSDR"),
        (ResponseFlags.UpstreamProtocolError, "UPE"),
        (ResponseFlags.NoClusterFound, "NC"),
        (ResponseFlags.DurationTimeout, "DT"),
        (ResponseFlags.DownstreamRemoteReset, "DR"),
    ];

    public static string ToShortString(ResponseFlags flags)
    {
        if (flags == ResponseFlags.None)
        {
            return "-";
        }
        foreach (var (flag, name) in Names)
        {
            // Most flagged requests carry one flag: its name as it is, no builder.
            if (flags == flag)
            {
                return name;
            }
        }
        var builder = new StringBuilder();
        foreach (var (flag, name) in Names)
        {
            if ((flags & flag) != 0)
            {
                if (builder.Length > 0)
                {
                    builder.Append(',');
                }
                builder.Append(name);
            }
        }
        return builder.ToString();
    }
}
