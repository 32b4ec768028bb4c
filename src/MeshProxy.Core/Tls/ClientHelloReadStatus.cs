namespace MeshProxy.Tls;

/// <summary>How <see cref="ClientHelloReader.ReadAsync"/> ended.</summary>
public enum ClientHelloReadStatus
{
    /// <summary>The parser answered Found or NotTls; see <see cref="ClientHelloReadResult.ParseResult"/>.</summary>
    Completed,

    /// <summary>The timeout elapsed before the parser could answer.</summary>
    TimedOut,

    /// <summary>The peer finished sending before the parser could answer.</summary>
    EndOfStream,

    /// <summary>The pending read was canceled through <see cref="System.IO.Pipelines.PipeReader.CancelPendingRead"/>.</summary>
    ReadCanceled,
}
