namespace MeshProxy.LoadRuns.Contenders;

/// <summary>A contender that terminates mesh mTLS on <see cref="TlsPort"/>, requiring the run's client SVID (see Certificates).</summary>
internal interface ITlsTarget
{
    int TlsPort { get; }
}
