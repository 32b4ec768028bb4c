using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>
/// An authorization policy for inbound traffic (Istio's AuthorizationPolicy, for this proxy's workload).
/// DENY policies are evaluated first; once any ALLOW policy exists, a request that matches none is denied.
/// Denied HTTP gets 403 "RBAC: access denied"; a denied TCP connection is closed. Every decision is counted.
/// </summary>
public sealed record AuthorizationPolicyConfig
{
    public required string Name { get; init; }

    public AuthorizationAction Action { get; init; } = AuthorizationAction.Allow;

    /// <summary>The policy matches when any rule matches. No rules: the policy matches nothing (Istio's behaviour).</summary>
    public EquatableArray<AuthorizationRuleConfig> Rules { get; init; } = EquatableArray<AuthorizationRuleConfig>.Empty;
}

public enum AuthorizationAction
{
    Allow,
    Deny,
}

/// <summary>A rule matches when any of its sources and any of its operations match (empty lists match anything).</summary>
public sealed record AuthorizationRuleConfig
{
    public EquatableArray<AuthorizationSourceConfig> From { get; init; } = EquatableArray<AuthorizationSourceConfig>.Empty;

    public EquatableArray<AuthorizationOperationConfig> To { get; init; } = EquatableArray<AuthorizationOperationConfig>.Empty;
}

/// <summary>
/// Who is calling, from its mTLS identity. Principals are written without "spiffe://" and may be exact
/// ("cluster.local/ns/default/sa/web"), a prefix ("cluster.local/ns/default/*"), a suffix ("*/sa/web") or "*" (any
/// authenticated peer); "cluster.local/*" is a whole trust domain. All set fields must hold.
/// </summary>
public sealed record AuthorizationSourceConfig
{
    public EquatableArray<string> Principals { get; init; } = EquatableArray<string>.Empty;

    public EquatableArray<string> NotPrincipals { get; init; } = EquatableArray<string>.Empty;

    public EquatableArray<string> Namespaces { get; init; } = EquatableArray<string>.Empty;

    public EquatableArray<string> NotNamespaces { get; init; } = EquatableArray<string>.Empty;
}

/// <summary>
/// What is being called. Methods and paths are HTTP-only: for TCP, an ALLOW rule that uses them never matches and a
/// DENY rule ignores them (Istio's rule, which errs on the side of denying). Paths match exactly, by prefix ("/api/*"),
/// by suffix ("*.png") or "*". All set fields must hold.
/// </summary>
public sealed record AuthorizationOperationConfig
{
    public EquatableArray<int> Ports { get; init; } = EquatableArray<int>.Empty;

    public EquatableArray<int> NotPorts { get; init; } = EquatableArray<int>.Empty;

    public EquatableArray<string> Methods { get; init; } = EquatableArray<string>.Empty;

    public EquatableArray<string> NotMethods { get; init; } = EquatableArray<string>.Empty;

    public EquatableArray<string> Paths { get; init; } = EquatableArray<string>.Empty;

    public EquatableArray<string> NotPaths { get; init; } = EquatableArray<string>.Empty;

    public bool UsesHttpFields => !Methods.IsEmpty || !NotMethods.IsEmpty || !Paths.IsEmpty || !NotPaths.IsEmpty;
}
