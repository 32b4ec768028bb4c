namespace MeshProxy.LoadBalancing;

/// <summary>All priority levels of a cluster, P0 first; there is always at least one, possibly empty (as in Envoy).</summary>
internal sealed class PrioritySet
{
    public PrioritySet(HostSet[] priorities) => Priorities = priorities;

    public HostSet[] Priorities { get; }

    public HostSet this[int priority] => Priorities[priority];

    public int Count => Priorities.Length;
}
