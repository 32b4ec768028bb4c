namespace MeshProxy.Identity.Telemetry;

/// <summary>
/// Every log event id of the identity library, in one place. The range 1000-1099 is reserved for it, disjoint from
/// MeshProxy.Core's <c>Telemetry/EventIds.cs</c> (1-399). Ids are never reused.
/// </summary>
public static class IdentityEventIds
{
    // Identity sources: 1000-1049
    public const int IdentityUpdated = 1000;
    public const int IdentityRejected = 1001;
    public const int IdentityFilesChanged = 1002;
    public const int WorkloadApiConnecting = 1003;
    public const int WorkloadApiRetrying = 1004;
    public const int WorkloadApiGaveUp = 1005;
    public const int WorkloadApiStreamEnded = 1006;
    public const int IdentityListenerFailed = 1007;

    // TLS: 1050-1099
    public const int PeerRejected = 1050;
}
