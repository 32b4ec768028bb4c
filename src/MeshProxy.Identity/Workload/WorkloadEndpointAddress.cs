using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace MeshProxy.Identity.Workload;

/// <summary>
/// Where the SPIFFE Workload API listens (SPIFFE_Workload_Endpoint.md §4): <c>unix:///path</c> or <c>unix:/path</c>
/// (an absolute socket path, no authority, query or fragment), or <c>tcp://IP:PORT</c> (an IP literal and a port,
/// nothing else). Exactly one of <see cref="UnixSocketPath"/> and <see cref="TcpEndPoint"/> is set.
/// </summary>
public sealed record WorkloadEndpointAddress
{
    /// <summary>The environment variable clients fall back to when not configured explicitly.</summary>
    public const string EnvironmentVariable = "SPIFFE_ENDPOINT_SOCKET";

    private WorkloadEndpointAddress(string? unixSocketPath, IPEndPoint? tcpEndPoint)
    {
        UnixSocketPath = unixSocketPath;
        TcpEndPoint = tcpEndPoint;
    }

    /// <summary>The Unix domain socket path, for <c>unix:</c> addresses.</summary>
    public string? UnixSocketPath { get; }

    /// <summary>The TCP endpoint, for <c>tcp:</c> addresses.</summary>
    public IPEndPoint? TcpEndPoint { get; }

    /// <summary>Parses an address; on failure <paramref name="error"/> says which rule was broken.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out WorkloadEndpointAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "workload endpoint socket address is empty";
            return false;
        }
        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = text["unix:".Length..];
            // "unix:///p" has an empty authority before the path; "unix:/p" has none; "unix://host/p" is refused.
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..];
                if (!path.StartsWith('/'))
                {
                    error = "workload endpoint unix socket URI must not have an authority (use unix:///absolute/path)";
                    return false;
                }
            }
            error = !path.StartsWith('/') ? "workload endpoint unix socket URI must include an absolute path"
                : path.Contains('?') ? "workload endpoint unix socket URI must not include query values"
                : path.Contains('#') ? "workload endpoint unix socket URI must not include a fragment"
                : null;
            if (error is not null)
            {
                return false;
            }
            address = new WorkloadEndpointAddress(path, null);
            return true;
        }
        if (text.StartsWith("tcp://", StringComparison.Ordinal))
        {
            var hostPort = text["tcp://".Length..];
            if (hostPort.IndexOfAny(['/', '?', '#', '@']) >= 0)
            {
                error = "workload endpoint tcp socket URI must not include a path, query values, a fragment or user info";
                return false;
            }
            var portSeparator = hostPort.LastIndexOf(':');
            if (portSeparator < 0 || hostPort.EndsWith(']') || !IPEndPoint.TryParse(hostPort, out var endPoint) || endPoint.Port == 0)
            {
                error = "workload endpoint tcp socket URI host component must be an IP:port";
                return false;
            }
            error = null;
            address = new WorkloadEndpointAddress(null, endPoint);
            return true;
        }
        error = "workload endpoint socket URI must have a \"tcp\" or \"unix\" scheme";
        return false;
    }

    public override string ToString() => UnixSocketPath is not null ? "unix://" + UnixSocketPath : "tcp://" + TcpEndPoint;
}
