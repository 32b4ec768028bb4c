namespace MeshProxy.Utilities;

/// <summary>
/// Supplies random numbers to decisions (weighted splits, load balancing, jitter) so tests can make them deterministic.
/// </summary>
public interface IRandomFactory
{
    /// <summary>A random instance for the calling thread; callers must not share it across threads.</summary>
    Random CreateRandomInstance();
}

/// <summary>Thread-local randoms seeded from the OS; the production <see cref="IRandomFactory"/>.</summary>
public sealed class ThreadLocalRandomFactory : IRandomFactory
{
    [ThreadStatic]
    private static Random? t_random;

    public static ThreadLocalRandomFactory Instance { get; } = new();

    public Random CreateRandomInstance() => t_random ??= new Random();
}
