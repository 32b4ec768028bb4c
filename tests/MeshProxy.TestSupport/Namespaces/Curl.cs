using System.Globalization;
using System.Net;

namespace MeshProxy.TestSupport.Namespaces;

/// <summary>Runs the real curl inside a namespace, as a given user, the way an application in the pod would call out.</summary>
public static class Curl
{
    /// <summary>curl's own limit for the whole request (--max-time); the process gets a little longer.</summary>
    public static readonly TimeSpan DefaultMaxTime = TimeSpan.FromSeconds(10);

    /// <summary>GET http://<paramref name="target"/><paramref name="path"/>, optionally binding the source address (--interface).</summary>
    public static async Task<CurlResponse> GetAsync(NetworkNamespace ns, IPEndPoint target, int? uid, string path = "/",
        IPAddress? source = null, TimeSpan? maxTime = null)
    {
        var seconds = (maxTime ?? DefaultMaxTime).TotalSeconds;
        // -q ignores ~/.curlrc and --noproxy '*' any http_proxy of the environment: the request must go where the URL says.
        List<string> command = [Tools.Require("curl"), "-q", "--noproxy", "*", "-sS", "-D", "-", "--max-time", seconds.ToString(CultureInfo.InvariantCulture)];
        if (source is not null)
        {
            command.AddRange(["--interface", source.ToString()]);
        }
        command.Add($"http://{target}{path}");
        var result = await ns.RunAsync(command, uid, TimeSpan.FromSeconds(seconds + 10));
        return Parse(result);
    }

    /// <summary>Splits curl's -D - output (the process runner hands it over line by line, \r\n ends removed).</summary>
    private static CurlResponse Parse(ProcessResult result)
    {
        var lines = result.StandardOutput.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var blank = lines.IndexOf("");
        if (blank < 1 || !lines[0].StartsWith("HTTP/", StringComparison.Ordinal))
        {
            return new CurlResponse(result.ExitCode, 0, headers, result.StandardOutput, result.StandardError);
        }
        var statusParts = lines[0].Split(' ');
        _ = int.TryParse(statusParts.ElementAtOrDefault(1), NumberStyles.None, CultureInfo.InvariantCulture, out var status);
        foreach (var line in lines.Take(blank).Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
        }
        return new CurlResponse(result.ExitCode, status, headers, string.Join('\n', lines.Skip(blank + 1)), result.StandardError);
    }
}
