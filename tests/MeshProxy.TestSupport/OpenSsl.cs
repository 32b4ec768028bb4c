using System.Security.Cryptography.X509Certificates;

namespace MeshProxy.TestSupport;

/// <summary>
/// Makes certificates with the real openssl CLI, so the validator is tested against certificates it did not make.
/// Keys are ECDSA P-256; every file is PEM in the given folder.
/// </summary>
public static class OpenSsl
{
    public const string GoodLeafExtensions = """
        basicConstraints=critical,CA:FALSE
        keyUsage=critical,digitalSignature
        extendedKeyUsage=serverAuth,clientAuth
        """;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static string Path => Tools.Require("openssl");

    public static async Task<ProcessResult> RunAsync(params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(Path, arguments, Timeout);
        return result.ExitCode == 0 ? result : throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed\n{result}");
    }

    /// <summary>A self-signed CA <c>NAME.pem</c> + <c>NAME.key</c>, with URI SAN <c>spiffe://TRUSTDOMAIN</c> when given.</summary>
    public static async Task<string> CreateRootAsync(string directory, string name, string? trustDomain)
    {
        var certificate = System.IO.Path.Combine(directory, name + ".pem");
        string[] san = trustDomain is null ? [] : ["-addext", $"subjectAltName=URI:spiffe://{trustDomain}"];
        await RunAsync(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", System.IO.Path.Combine(directory, name + ".key"), "-out", certificate, "-subj", "/CN=" + name, "-days", "30",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", .. san]);
        return certificate;
    }

    /// <summary>Signs a new key with ISSUER into <c>NAME.pem</c> + <c>NAME.key</c>, with the given extension lines, valid from now.</summary>
    public static async Task<string> IssueAsync(string directory, string issuer, string name, string extensions, int days = 1)
    {
        var path = (string suffix) => System.IO.Path.Combine(directory, name + suffix);
        await File.WriteAllTextAsync(path(".ext"), extensions + "\n");
        await RunAsync("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path(".key"), "-out", path(".csr"), "-subj", "/CN=" + name);
        await RunAsync("x509", "-req", "-in", path(".csr"), "-CA", System.IO.Path.Combine(directory, issuer + ".pem"),
            "-CAkey", System.IO.Path.Combine(directory, issuer + ".key"), "-set_serial", "0x" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)), "-days", days.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sha256",
            "-extfile", path(".ext"), "-out", path(".pem"));
        return path(".pem");
    }

    /// <summary>A leaf with the good SVID extensions and URI SAN <paramref name="uri"/>.</summary>
    public static Task<string> IssueLeafAsync(string directory, string issuer, string name, string uri) =>
        IssueAsync(directory, issuer, name, GoodLeafExtensions + "\nsubjectAltName=critical,URI:" + uri);

    public static X509Certificate2 Load(string directory, string name) =>
        X509CertificateLoader.LoadCertificateFromFile(System.IO.Path.Combine(directory, name + ".pem"));
}
