namespace MeshProxy.Telemetry.Istio;

/// <summary>
/// Istio's standard metric labels, in Istio's order (istio/proxy istio_stats.cc, all_tags_), and the values missing
/// information takes: "unknown", and "latest" for canonical revisions.
/// </summary>
internal static class IstioLabels
{
    public const string Unknown = "unknown";
    public const string Latest = "latest";

    public static readonly string[] Names =
    [
        "reporter",
        "source_workload", "source_workload_namespace", "source_principal", "source_app", "source_version",
        "source_canonical_service", "source_canonical_revision", "source_cluster",
        "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app", "destination_version",
        "destination_service", "destination_service_name", "destination_service_namespace",
        "destination_canonical_service", "destination_canonical_revision", "destination_cluster",
        "request_protocol", "response_flags", "connection_security_policy", "response_code", "grpc_response_status",
    ];

    public const int Reporter = 0;
    public const int SourceWorkload = 1;
    public const int DestinationWorkload = 9;
    public const int DestinationService = 14;
    public const int RequestProtocol = 20;
    public const int ResponseFlags = 21;
    public const int ConnectionSecurityPolicy = 22;
    public const int ResponseCode = 23;
    public const int GrpcResponseStatus = 24;
}
