namespace MeshProxy.TestSupport.Namespaces;

/// <summary>Whether IPv6 capture can be tested in a <see cref="PodNetwork"/>, and if not, the probe step that failed and why.</summary>
public sealed record Ipv6Support(bool Available, string Reason)
{
    public static Ipv6Support Yes { get; } = new(true, "IPv6 addresses, ip6tables nat and IPv6 TCP between the namespaces all work");

    public static Ipv6Support No(string reason) => new(false, reason);
}
