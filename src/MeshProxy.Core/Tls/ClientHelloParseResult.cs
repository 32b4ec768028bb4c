using System.Diagnostics.CodeAnalysis;

namespace MeshProxy.Tls;

/// <summary>
/// The answer of <see cref="ClientHelloParser"/>: <see cref="ClientHelloParseStatus.NeedMoreData"/> (with a lower bound
/// on the bytes still missing), <see cref="ClientHelloParseStatus.NotTls"/> (with a reason), or
/// <see cref="ClientHelloParseStatus.Found"/> (with the hello).
/// </summary>
public readonly struct ClientHelloParseResult
{
    private readonly ClientHello _hello;

    private ClientHelloParseResult(ClientHelloParseStatus status, NotTlsReason reason, int bytesNeeded, in ClientHello hello)
    {
        Status = status;
        Reason = reason;
        BytesNeeded = bytesNeeded;
        _hello = hello;
    }

    public ClientHelloParseStatus Status { get; }

    /// <summary>Why the bytes are not a ClientHello; <see cref="NotTlsReason.None"/> unless the status is NotTls.</summary>
    public NotTlsReason Reason { get; }

    /// <summary>
    /// For NeedMoreData: at least this many more bytes (1 or more) are needed before the parser can answer Found.
    /// It never overshoots the end of a valid ClientHello, so a reader may wait for exactly that many. 0 otherwise.
    /// </summary>
    public int BytesNeeded { get; }

    /// <summary>The parsed hello when the status is Found; an empty one otherwise.</summary>
    [UnscopedRef]
    public ref readonly ClientHello Hello => ref _hello;

    internal static ClientHelloParseResult NeedMoreData(int bytesNeeded) =>
        new(ClientHelloParseStatus.NeedMoreData, NotTlsReason.None, bytesNeeded, default);

    internal static ClientHelloParseResult NotTls(NotTlsReason reason) =>
        new(ClientHelloParseStatus.NotTls, reason, 0, default);

    internal static ClientHelloParseResult Found(in ClientHello hello) =>
        new(ClientHelloParseStatus.Found, NotTlsReason.None, 0, hello);

    public override string ToString() => Status switch
    {
        ClientHelloParseStatus.NeedMoreData => $"NeedMoreData({BytesNeeded})",
        ClientHelloParseStatus.NotTls => $"NotTls({Reason})",
        _ => $"Found({_hello})",
    };
}
