namespace MeshProxy.Telemetry.Istio;

/// <summary>
/// The destination service labels: the full host name, its first label, and its namespace when the name has the
/// Kubernetes form name.namespace.svc... (destination_service, destination_service_name, destination_service_namespace).
/// </summary>
internal sealed record ServiceLabels(string Service, string Name, string Namespace)
{
    public static ServiceLabels For(string service)
    {
        var parts = service.Split('.');
        var ns = parts.Length >= 3 && parts[2] == "svc" ? parts[1] : IstioLabels.Unknown;
        return new ServiceLabels(service, parts[0], ns);
    }
}
