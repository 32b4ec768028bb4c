using System.Collections.Concurrent;

namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>
/// The run's mesh identities, made once per run with meshproxy's development CA (<c>meshproxy ca init</c>, then
/// <c>ca issue</c> signed by the root itself, so a leaf verifies against the bundle alone: openssl's s_time sends
/// only its leaf). Every SVID folder holds svid.pem, svid-key.pem and bundle.pem; <see cref="ServerPemWithKey"/> is the
/// server's certificate and key in one file, as HAProxy's <c>crt</c> wants it.
/// </summary>
internal sealed class Certificates
{
    public const string TrustDomain = "cluster.local";
    public const string ClientId = "spiffe://cluster.local/ns/bench/sa/client";
    public const string ServerId = "spiffe://cluster.local/ns/bench/sa/server";

    private static readonly ConcurrentDictionary<string, Lazy<Task<Certificates>>> PerRun = new();

    private Certificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string Client => Path.Combine(Directory, "client");

    public string Server => Path.Combine(Directory, "server");

    public string ServerPemWithKey => Path.Combine(Directory, "server-with-key.pem");

    /// <summary>The certificates of this run, created on first use.</summary>
    public static Task<Certificates> ForAsync(RunContext context)
        => PerRun.GetOrAdd(context.RunDirectory, _ => new Lazy<Task<Certificates>>(() => CreateAsync(context))).Value;

    private static async Task<Certificates> CreateAsync(RunContext context)
    {
        var certificates = new Certificates(context.DirectoryFor("certs"));
        var ca = Path.Combine(certificates.Directory, "ca");
        await CaAsync(context, certificates, ["ca", "init", "--out", ca, "--trust-domain", TrustDomain]);
        await CaAsync(context, certificates, ["ca", "issue", "--ca", ca, "--spiffe-id", ClientId, "--out", certificates.Client, "--ttl", "24h"]);
        await CaAsync(context, certificates, ["ca", "issue", "--ca", ca, "--spiffe-id", ServerId, "--out", certificates.Server, "--ttl", "24h"]);
        await File.WriteAllTextAsync(certificates.ServerPemWithKey,
            await File.ReadAllTextAsync(Path.Combine(certificates.Server, "svid.pem")) + await File.ReadAllTextAsync(Path.Combine(certificates.Server, "svid-key.pem")));
        return certificates;
    }

    private static async Task CaAsync(RunContext context, Certificates certificates, string[] arguments)
    {
        var binary = context.Options.MeshProxyPath;
        string[] command = binary.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", binary, .. arguments] : [binary, .. arguments];
        using var process = ManagedProcess.Start("meshproxy-ca", command[0], command[1..], Path.Combine(certificates.Directory, "ca.log"), capture: true);
        if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(60)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"meshproxy {string.Join(' ', arguments)} failed:\n{process.Output}");
        }
    }
}
