using System.CommandLine;
using System.Security.Cryptography;
using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Utilities;

namespace MeshProxy.Cli.Commands;

/// <summary>
/// `meshproxy ca init|intermediate|issue`: the built-in development CA (docs/identity.md). Writes PEM files in the
/// layout of <see cref="CertificateAuthorityFiles"/>.
/// </summary>
internal static class CaCommand
{
    public static Command Create() => new("ca", "A development CA for SPIFFE X.509-SVIDs: create a root, per-cluster intermediates and leaf SVIDs as PEM files.")
    {
        CreateInit(),
        CreateIntermediate(),
        CreateIssue(),
    };

    private static Command CreateInit()
    {
        var output = OutputOption("The folder to write the root CA into (ca.pem, ca-key.pem, root.pem).");
        var trustDomain = TrustDomainOption("The trust domain of the root. Default cluster.local.");
        var command = new Command("init", "Create a self-signed root CA (ECDSA P-256, 10 years) for a trust domain.") { output, trustDomain };
        command.SetAction(parse => Run(() =>
        {
            var root = CertificateAuthority.CreateRoot(TrustDomain.Parse(parse.GetValue(trustDomain) ?? "cluster.local"));
            CertificateAuthorityFiles.Write(root, parse.GetRequiredValue(output).FullName);
            return $"root CA for {root.TrustDomain} written to {parse.GetRequiredValue(output).FullName}";
        }));
        return command;
    }

    private static Command CreateIntermediate()
    {
        var root = new Option<DirectoryInfo>("--root") { Description = "The folder of the signing CA (written by 'ca init').", Required = true };
        var output = OutputOption("The folder to write the intermediate CA into (ca.pem, ca-key.pem, root.pem).");
        var name = new Option<string>("--name") { Description = "The intermediate's name, e.g. the cluster: cluster1.", Required = true };
        var trustDomain = TrustDomainOption("The trust domain the intermediate issues for. Default: the signing CA's.");
        var command = new Command("intermediate", "Create an intermediate CA (1 year) signed by a root, e.g. one per cluster sharing a root.") { root, output, name, trustDomain };
        command.SetAction(parse => Run(() =>
        {
            var signer = CertificateAuthorityFiles.Read(parse.GetRequiredValue(root).FullName);
            var trustDomainText = parse.GetValue(trustDomain);
            var intermediate = signer.CreateIntermediate(parse.GetRequiredValue(name), trustDomainText is null ? null : TrustDomain.Parse(trustDomainText));
            CertificateAuthorityFiles.Write(intermediate, parse.GetRequiredValue(output).FullName);
            return $"intermediate CA '{parse.GetRequiredValue(name)}' for {intermediate.TrustDomain} written to {parse.GetRequiredValue(output).FullName}";
        }));
        return command;
    }

    private static Command CreateIssue()
    {
        var ca = new Option<DirectoryInfo>("--ca") { Description = "The folder of the issuing CA (root or intermediate).", Required = true };
        var spiffeId = new Option<string>("--spiffe-id") { Description = "The SVID's SPIFFE ID, e.g. spiffe://cluster.local/ns/default/sa/web.", Required = true };
        var output = OutputOption("The folder to write the SVID into (svid.pem, svid-key.pem, bundle.pem, bundle.json).");
        var ttl = new Option<string>("--ttl") { Description = "The SVID lifetime: 24h, 90m, 30s... Default 24h.", DefaultValueFactory = _ => "24h" };
        var command = new Command("issue", "Issue a leaf X.509-SVID for a SPIFFE ID, signed by a CA folder.") { ca, spiffeId, output, ttl };
        command.SetAction(parse => Run(() =>
        {
            if (!Durations.TryParse(parse.GetRequiredValue(ttl), out var lifetime) || lifetime <= TimeSpan.Zero)
            {
                throw new ArgumentException($"--ttl '{parse.GetValue(ttl)}' is not a positive duration such as 24h or 90m.");
            }
            var issuer = CertificateAuthorityFiles.Read(parse.GetRequiredValue(ca).FullName);
            var svid = issuer.Issue(SpiffeId.Parse(parse.GetRequiredValue(spiffeId)), lifetime);
            CertificateAuthorityFiles.WriteSvid(svid, issuer, parse.GetRequiredValue(output).FullName);
            return $"SVID {svid} written to {parse.GetRequiredValue(output).FullName}";
        }));
        return command;
    }

    private static Option<DirectoryInfo> OutputOption(string description) => new("--out") { Description = description, Required = true };

    private static Option<string> TrustDomainOption(string description) => new("--trust-domain") { Description = description };

    // Every expected failure becomes one line on stderr and exit code 1, not a stack trace.
    private static int Run(Func<string> action)
    {
        try
        {
            Console.WriteLine(action());
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or UnauthorizedAccessException or CryptographicException)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 1;
        }
    }
}
