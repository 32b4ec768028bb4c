namespace MeshProxy.Configuration;

/// <summary>A region/zone/subzone triple, as in Envoy's Locality and Istio's topology labels.</summary>
public sealed record LocalityConfig(string Region = "", string Zone = "", string Subzone = "")
{
    public static LocalityConfig None { get; } = new();

    public override string ToString() => $"{Region}/{Zone}/{Subzone}".TrimEnd('/');
}
