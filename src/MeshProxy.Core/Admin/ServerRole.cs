namespace MeshProxy.Admin;

/// <summary>Which of the proxy's own servers a connection came in on; set as a connection feature.</summary>
internal enum ServerRole
{
    Admin,
    Readiness,
    Metrics,
}

/// <summary>The connection feature carrying the <see cref="ServerRole"/>.</summary>
internal sealed class ServerRoleFeature
{
    public static readonly ServerRoleFeature Admin = new(ServerRole.Admin);
    public static readonly ServerRoleFeature Readiness = new(ServerRole.Readiness);
    public static readonly ServerRoleFeature Metrics = new(ServerRole.Metrics);

    private ServerRoleFeature(ServerRole role) => Role = role;

    public ServerRole Role { get; }
}
