namespace MeshProxy.Tls;

/// <summary>The three outcomes of <see cref="ClientHelloParser.Parse(in System.Buffers.ReadOnlySequence{byte}, in ClientHelloLimits)"/>.</summary>
public enum ClientHelloParseStatus
{
    /// <summary>The bytes so far are a prefix of a plausible ClientHello; read more and parse again.</summary>
    NeedMoreData,

    /// <summary>Affirmatively not a usable TLS ClientHello; <see cref="ClientHelloParseResult.Reason"/> says why.</summary>
    NotTls,

    /// <summary>A complete, well-formed ClientHello; see <see cref="ClientHelloParseResult.Hello"/>.</summary>
    Found,
}
