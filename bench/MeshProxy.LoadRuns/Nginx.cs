using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns;

/// <summary>The nginx settings the backend and the nginx contender share, and how nginx is started (in the foreground, as our child).</summary>
internal static class Nginx
{
    public const string Executable = "/usr/sbin/nginx";

    /// <summary>The main context: two workers (one per core), in the foreground, every path inside the run folder.</summary>
    public static string Config(string dir, string body) => $$"""
        worker_processes 2;
        daemon off;
        master_process on;
        pid {{dir}}/nginx.pid;
        error_log {{dir}}/error.log warn;
        worker_rlimit_nofile 65536;
        events {
            worker_connections 8192;
        }
        {{body}}
        """;

    /// <summary>http-context settings: no access log, unlimited keep-alive, temp folders inside the run folder.</summary>
    public static string HttpCommon(string dir) => $$"""
            access_log off;
            keepalive_timeout 300s;
            keepalive_requests 1000000;
            tcp_nodelay on;
            client_body_temp_path {{dir}}/client_body;
            proxy_temp_path {{dir}}/proxy;
            fastcgi_temp_path {{dir}}/fastcgi;
            uwsgi_temp_path {{dir}}/uwsgi;
            scgi_temp_path {{dir}}/scgi;
        """;

    /// <summary>Starts nginx, under <paramref name="prefix"/> (e.g. <c>ip netns exec NS</c>) when given.</summary>
    public static ManagedProcess Start(string name, string dir, string config, string? cpus, IReadOnlyList<string>? prefix = null)
    {
        string[] command = [.. prefix ?? [], Executable, "-p", dir, "-c", config, "-e", Path.Combine(dir, "error.log")];
        return ManagedProcess.Start(name, command[0], command[1..], Path.Combine(dir, "stdout.log"), cpus);
    }
}
