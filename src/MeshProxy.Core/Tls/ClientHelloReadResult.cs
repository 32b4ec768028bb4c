using System.Diagnostics.CodeAnalysis;

namespace MeshProxy.Tls;

/// <summary>What <see cref="ClientHelloReader.ReadAsync"/> found: how it ended, and the parser's last answer.</summary>
public readonly struct ClientHelloReadResult
{
    private readonly ClientHelloParseResult _parseResult;

    internal ClientHelloReadResult(ClientHelloReadStatus status, in ClientHelloParseResult parseResult)
    {
        Status = status;
        _parseResult = parseResult;
    }

    public ClientHelloReadStatus Status { get; }

    /// <summary>
    /// The parser's answer on the bytes read: Found or NotTls when <see cref="Status"/> is Completed, NeedMoreData
    /// otherwise. The hello it holds owns its data, so it stays valid after the pipe moves on.
    /// </summary>
    [UnscopedRef]
    public ref readonly ClientHelloParseResult ParseResult => ref _parseResult;

    public override string ToString() => $"{Status}: {_parseResult}";
}
