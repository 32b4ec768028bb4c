using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using MeshProxy.TestSupport;

namespace MeshProxy.Tls.Tests;

/// <summary>
/// One real client's ClientHello: how to make the client send it (<see cref="RunClientAsync"/>, also used to capture
/// <c>testdata/&lt;FileName&gt;</c>; it returns the client's output for failure messages) and what the parser must
/// find in it.
/// </summary>
internal sealed record CapturedHello(
    string FileName,
    string? ServerName,
    string[] Alpn,
    TlsVersions SupportedVersions,
    Func<int, CancellationToken, Task<string>> RunClientAsync)
{
    /// <summary>Records the hello is fragmented over.</summary>
    public int RecordCount { get; init; } = 1;

    /// <summary>Limits it needs (the default ones unless it is larger than 16 KiB).</summary>
    public ClientHelloLimits Limits { get; init; }

    /// <summary>Whether the ALPN list is longer than the hello keeps.</summary>
    public bool AlpnTruncated { get; init; }

    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(10);

    public override string ToString() => FileName;

    public byte[] ReadTestData() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Tls", "testdata", FileName));

    public static Func<int, CancellationToken, Task<string>> Curl(string host, params string[] options) =>
        Run("curl", ["-k", "-s", "--max-time", "5", .. options, "--connect-to", $"{host}:443:127.0.0.1:{{port}}", $"https://{host}/"]);

    public static Func<int, CancellationToken, Task<string>> OpenSsl(params string[] options) =>
        Run("openssl", ["s_client", "-connect", "127.0.0.1:{port}", .. options]);

    /// <summary>Runs a command-line client; "{port}" in an argument becomes the capture server's port.</summary>
    private static Func<int, CancellationToken, Task<string>> Run(string tool, string[] arguments) => async (port, cancellationToken) =>
    {
        var result = await ProcessRunner.RunAsync(Tools.Require(tool),
            arguments.Select(a => a.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)),
            ClientTimeout, standardInput: "", cancellationToken: cancellationToken);
        return $"{tool}: {result}";
    };

    public static Func<int, CancellationToken, Task<string>> SslStreamClient(string targetHost, params SslApplicationProtocol[] alpn) =>
        async (port, cancellationToken) =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            await using var tls = new SslStream(tcp.GetStream());
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                ApplicationProtocols = [.. alpn],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            };
            await tls.AuthenticateAsClientAsync(options, cancellationToken);
            return "SslStream: handshake completed";
        };
}
