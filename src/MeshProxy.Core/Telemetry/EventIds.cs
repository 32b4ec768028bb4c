namespace MeshProxy.Telemetry;

/// <summary>
/// Every log event id, in one place. Ids are never reused; a retired id stays here as a "Reserved" comment.
/// </summary>
public static class EventIds
{
    // Configuration: 1-99
    public const int ConfigApplied = 1;
    public const int ConfigRejected = 2;
    public const int ConfigFileChanged = 3;
    public const int ListenerStarted = 4;
    public const int ListenerStopped = 5;
    public const int ListenerBindFailed = 6;
    public const int ConfigAppliesAtRestart = 7;

    // Connections: 100-199
    public const int ConnectionRefusedNoRedirect = 100;
    public const int DetectionTimedOut = 101;
    public const int ConnectionClosedNoHandler = 102;
    public const int OriginalDestinationUnavailable = 103;
    public const int TcpUpstreamConnectFailed = 104;
    public const int TcpRelayEnded = 105;
    public const int TcpNoHealthyUpstream = 106;
    public const int TcpUpstreamOverflow = 107;
    public const int AcceptFailed = 108;
    public const int DirectConnectionFailed = 109;
    public const int TcpRelayFailed = 110;

    // HTTP: 200-299
    public const int UpstreamRequestFailed = 200;
    public const int UpstreamResetMidResponse = 201;
    public const int NoRoute = 202;

    // Admin and lifecycle: 300-399
    public const int DrainStarted = 300;
    public const int DrainFinished = 301;

    // Health checking and outlier detection: 400-499
    public const int HealthCheckFailedEndpoint = 400;
    public const int HealthCheckPassedEndpoint = 401;
    public const int HealthCheckDegradedEndpoint = 402;
    public const int OutlierEjected = 403;
    public const int OutlierUnejected = 404;
    public const int OutlierDetectedNotEnforced = 405;
    public const int HealthCheckersChanged = 406;

    // Security (mTLS and authorization): 500-599
    public const int AuthorizationDenied = 500;
    public const int InboundTlsFailed = 501;
    public const int PlaintextRefused = 502;
    public const int UpstreamTlsFailed = 503;
    public const int StartedWithoutIdentity = 504;

    // SNI router (east-west gateway): 600-699
    public const int SniRouted = 600;
    public const int SniNoRoute = 601;
    public const int SniNotTls = 602;
    public const int SniNoServerName = 603;
    public const int SniClientHelloTimedOut = 604;
    public const int SniClientHelloIncomplete = 605;
}
