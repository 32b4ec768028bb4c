using System.Runtime.CompilerServices;

namespace MeshProxy.Telemetry.Istio;

/// <summary>
/// Identifies one Istio metric series. The label objects are shared instances, so they are compared by reference and
/// a lookup hashes a few pointers and integers rather than 25 strings.
/// </summary>
internal readonly struct IstioSeriesKey : IEquatable<IstioSeriesKey>
{
    public IstioSeriesKey(bool reporterIsDestination, WorkloadLabels source, WorkloadLabels destination, ServiceLabels service,
        RequestProtocol protocol, int responseCode, ResponseFlags flags, int grpcStatus, bool mutualTls)
    {
        ReporterIsDestination = reporterIsDestination;
        Source = source;
        Destination = destination;
        Service = service;
        Protocol = protocol;
        ResponseCode = responseCode;
        Flags = flags;
        GrpcStatus = grpcStatus;
        MutualTls = mutualTls;
    }

    public bool ReporterIsDestination { get; }

    public WorkloadLabels Source { get; }

    public WorkloadLabels Destination { get; }

    public ServiceLabels Service { get; }

    public RequestProtocol Protocol { get; }

    public int ResponseCode { get; }

    public ResponseFlags Flags { get; }

    /// <summary>The numeric gRPC status, or -1 when the request is not gRPC (Istio's empty label).</summary>
    public int GrpcStatus { get; }

    public bool MutualTls { get; }

    public bool Equals(IstioSeriesKey other)
        => ReporterIsDestination == other.ReporterIsDestination && ReferenceEquals(Source, other.Source)
           && ReferenceEquals(Destination, other.Destination) && ReferenceEquals(Service, other.Service)
           && Protocol == other.Protocol && ResponseCode == other.ResponseCode && Flags == other.Flags
           && GrpcStatus == other.GrpcStatus && MutualTls == other.MutualTls;

    public override bool Equals(object? obj) => obj is IstioSeriesKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(
        RuntimeHelpers.GetHashCode(Source), RuntimeHelpers.GetHashCode(Destination), RuntimeHelpers.GetHashCode(Service),
        (int)Protocol | (ReporterIsDestination ? 1 << 8 : 0) | (MutualTls ? 1 << 9 : 0), ResponseCode, (int)Flags, GrpcStatus);

    /// <summary>The label values in Istio's order.</summary>
    public string[] ToLabelValues()
    {
        var values = new string[IstioLabels.Names.Length];
        values[IstioLabels.Reporter] = ReporterIsDestination ? "destination" : "source";
        Fill(values, IstioLabels.SourceWorkload, Source);
        Fill(values, IstioLabels.DestinationWorkload, Destination);
        values[IstioLabels.DestinationService] = Service.Service;
        values[IstioLabels.DestinationService + 1] = Service.Name;
        values[IstioLabels.DestinationService + 2] = Service.Namespace;
        // destination_canonical_service, _revision and _cluster follow the service labels in Istio's order.
        values[IstioLabels.DestinationService + 3] = Destination.CanonicalService;
        values[IstioLabels.DestinationService + 4] = Destination.CanonicalRevision;
        values[IstioLabels.DestinationService + 5] = Destination.Cluster;
        values[IstioLabels.RequestProtocol] = Protocol switch
        {
            RequestProtocol.Grpc => "grpc",
            RequestProtocol.Tcp => "tcp",
            _ => "http",
        };
        values[IstioLabels.ResponseFlags] = ResponseFlagsFormatter.ToShortString(Flags);
        values[IstioLabels.ConnectionSecurityPolicy] = !ReporterIsDestination ? "unknown" : MutualTls ? "mutual_tls" : "none";
        values[IstioLabels.ResponseCode] = ResponseCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        values[IstioLabels.GrpcResponseStatus] = GrpcStatus < 0 ? "" : GrpcStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return values;
    }

    private static void Fill(string[] values, int start, WorkloadLabels labels)
    {
        values[start] = labels.Workload;
        values[start + 1] = labels.Namespace;
        values[start + 2] = labels.Principal;
        values[start + 3] = labels.App;
        values[start + 4] = labels.Version;
        if (start == IstioLabels.SourceWorkload)
        {
            values[start + 5] = labels.CanonicalService;
            values[start + 6] = labels.CanonicalRevision;
            values[start + 7] = labels.Cluster;
        }
    }
}

/// <summary>Istio's request_protocol label.</summary>
internal enum RequestProtocol
{
    Http,
    Grpc,
    Tcp,
}
