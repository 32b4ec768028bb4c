using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// HAProxy: one process with two threads, mode http with keep-alive both ways and connection reuse (http-reuse safe,
/// its default), x-forwarded-for/proto set, no logging; a mode tcp frontend for L4.
/// </summary>
internal sealed class HaproxyContender : Contender
{
    public const string Executable = "/usr/sbin/haproxy";

    public override string Name => "haproxy";

    public override string Describe(RunContext context) => "haproxy nbthread 2, mode http, http-keep-alive, http-reuse safe, option forwardfor + X-Forwarded-Proto, no log; mode tcp for L4";

    /// <summary>The global and defaults sections every HAProxy contender shares: two threads, keep-alive, http-reuse safe.</summary>
    public static string Common(string dir) => $$"""
        global
            nbthread 2
            maxconn 4096
            pidfile {{dir}}/haproxy.pid

        defaults
            mode http
            timeout connect 5s
            timeout client 300s
            timeout server 300s
            timeout http-keep-alive 300s
            option http-keep-alive
            http-reuse safe


        """;

    public override async Task StartAsync(RunContext context)
    {
        var dir = PrepareProxy(context, withTcp: true);
        var config = Path.Combine(dir, "haproxy.cfg");
        await File.WriteAllTextAsync(config, Common(dir) + $$"""
            frontend http_in
                bind 127.0.0.1:{{HttpPort}}
                option forwardfor
                http-request set-header X-Forwarded-Proto http
                default_backend backend_http

            backend backend_http
                server backend 127.0.0.1:{{context.Backend.Port}}

            frontend tcp_in
                mode tcp
                bind 127.0.0.1:{{TcpPort}}
                default_backend backend_tcp

            backend backend_tcp
                mode tcp
                server backend 127.0.0.1:{{context.Backend.Port}}

            """);
        Process = ManagedProcess.Start(Name, Executable, ["-f", config, "-db"], Path.Combine(dir, "haproxy.log"), context.Cpus.Proxy);
        await Net.WaitForHttpAsync(HttpUrl, Process, TimeSpan.FromSeconds(20));
    }
}
