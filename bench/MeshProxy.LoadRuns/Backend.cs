using System.Globalization;
using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns;

/// <summary>
/// The upstream every contender fronts: nginx answering <c>GET /</c> with a fixed 200 "ok" and serving a large static
/// file at <see cref="BulkPath"/> (sendfile). Tuned never to be the bottleneck: a worker per core, keep-alive without
/// a request limit, no access log.
/// </summary>
internal sealed class Backend : IDisposable
{
    public const string BulkPath = "/bulk.bin";

    private Backend(ManagedProcess process, int port, long bulkBytes)
    {
        Process = process;
        Port = port;
        BulkBytes = bulkBytes;
    }

    public ManagedProcess Process { get; }

    public int Port { get; }

    public long BulkBytes { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    public static async Task<Backend> StartAsync(string runDirectory, string? cpus, long bulkBytes)
    {
        var dir = Path.Combine(runDirectory, "backend");
        Directory.CreateDirectory(dir);
        var root = Path.Combine(dir, "www");
        Directory.CreateDirectory(root);
        await WriteBulkFileAsync(Path.Combine(root, BulkPath.TrimStart('/')), bulkBytes);
        var port = Net.FreePort();
        var config = Path.Combine(dir, "nginx.conf");
        await File.WriteAllTextAsync(config, Nginx.Config(dir, $$"""
            http {
            {{Nginx.HttpCommon(dir)}}
                sendfile on;
                tcp_nopush on;
                server {
                    listen 127.0.0.1:{{port}} backlog=4096;
                    root {{root}};
                    location = / {
                        default_type text/plain;
                        return 200 "ok";
                    }
                    location = {{BulkPath}} {
                        default_type application/octet-stream;
                    }
                }
            }
            """));
        var process = Nginx.Start("backend", dir, config, cpus);
        var backend = new Backend(process, port, bulkBytes);
        await Net.WaitForHttpAsync(backend.Url, process, TimeSpan.FromSeconds(20));
        return backend;
    }

    private static async Task WriteBulkFileAsync(string path, long bytes)
    {
        var block = new byte[1024 * 1024];
        new Random(42).NextBytes(block);
        await using var file = File.Create(path);
        for (long written = 0; written < bytes; written += block.Length)
        {
            await file.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, bytes - written)));
        }
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"nginx on 127.0.0.1:{Port}: GET / returns 200 \"ok\"; GET {BulkPath} is a {BulkBytes / (1024 * 1024)} MiB file (sendfile)");

    public void Dispose() => Process.Dispose();
}
