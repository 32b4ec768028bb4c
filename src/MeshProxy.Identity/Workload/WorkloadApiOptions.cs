namespace MeshProxy.Identity.Workload;

/// <summary>How <see cref="WorkloadApiIdentitySource"/> reaches the SPIFFE Workload API and retries.</summary>
public sealed record WorkloadApiOptions
{
    /// <summary>
    /// The endpoint address (<c>unix:///path</c>, <c>unix:/path</c> or <c>tcp://IP:PORT</c>). Default: the
    /// <c>SPIFFE_ENDPOINT_SOCKET</c> environment variable, as the spec requires when not configured.
    /// </summary>
    public string? EndpointAddress { get; init; }

    /// <summary>The first delay before reconnecting after an error; doubled after each failed attempt. Default 200 ms.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between reconnection attempts. Default 30 seconds.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
