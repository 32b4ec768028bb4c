namespace MeshProxy.Security.Authorization;

/// <summary>
/// What an inbound policy decision looks at: the peer's SPIFFE ID (null without mTLS), the destination port, and for
/// HTTP the method and path (both null for a TCP connection).
/// </summary>
public readonly record struct AuthorizationRequest(string? PeerId, int Port, string? Method, string? Path)
{
    public bool IsHttp => Method is not null;
}

/// <summary>The verdict and the policy that decided it (null when no policy matched).</summary>
public readonly record struct AuthorizationDecision(bool IsAllowed, string? Policy)
{
    /// <summary>Envoy's response code details for a denial: rbac_access_denied_matched_policy[name], or [none] when no ALLOW policy matched.</summary>
    public string DeniedDetails => $"rbac_access_denied_matched_policy[{Policy ?? "none"}]";
}
