namespace MeshProxy.TestSupport.Namespaces;

/// <summary>What curl got: its exit code, the status and headers (names lower-cased) of the last response, the body, and stderr.</summary>
public sealed record CurlResponse(int ExitCode, int Status, IReadOnlyDictionary<string, string> Headers, string Body, string Error)
{
    /// <summary>The sidecar stamps x-envoy-upstream-service-time on every response it forwards.</summary>
    public bool CameThroughProxy => Headers.ContainsKey("x-envoy-upstream-service-time");

    public override string ToString() =>
        $"curl exit {ExitCode}, status {Status}\nheaders: {string.Join("; ", Headers.Select(h => $"{h.Key}: {h.Value}"))}\nbody: {Body}\nstderr: {Error}";
}
