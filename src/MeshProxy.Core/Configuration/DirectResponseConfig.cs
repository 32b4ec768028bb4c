namespace MeshProxy.Configuration;

/// <summary>A route that answers by itself instead of forwarding (Envoy's DirectResponseAction).</summary>
public sealed record DirectResponseConfig
{
    /// <summary>The HTTP status, 200 to 599. Required.</summary>
    public required int Status { get; init; }

    /// <summary>A plain-text body. Default: empty.</summary>
    public string Body { get; init; } = "";
}
