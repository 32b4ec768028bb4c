using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// nginx as a reverse proxy: two workers, upstream keep-alive pool of 64, HTTP/1.1 upstream, x-forwarded-for/proto
/// set (as meshproxy does), no access log; the stream module relays L4.
/// </summary>
internal sealed class NginxContender : Contender
{
    public override string Name => "nginx";

    public override string Describe(RunContext context) => "nginx 2 workers, upstream keepalive 64, proxy_http_version 1.1, X-Forwarded-For/Proto, access_log off; stream proxy for L4";

    public override async Task StartAsync(RunContext context)
    {
        var dir = PrepareProxy(context, withTcp: true);
        var config = Path.Combine(dir, "nginx.conf");
        var backend = $"127.0.0.1:{context.Backend.Port}";
        await File.WriteAllTextAsync(config, "load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n" + Nginx.Config(dir, $$"""
            http {
            {{Nginx.HttpCommon(dir)}}
                upstream backend {
                    server {{backend}};
                    keepalive 64;
                    keepalive_requests 1000000;
                }
                server {
                    listen 127.0.0.1:{{HttpPort}} backlog=4096;
                    location / {
                        proxy_pass http://backend;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                    }
                }
            }
            stream {
                server {
                    listen 127.0.0.1:{{TcpPort}} backlog=4096;
                    proxy_pass {{backend}};
                }
            }
            """));
        Process = Nginx.Start(Name, dir, config, context.Cpus.Proxy);
        await Net.WaitForHttpAsync(HttpUrl, Process, TimeSpan.FromSeconds(20));
    }
}
