using MeshProxy.Listeners;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MeshProxy.Http;

/// <summary>
/// The HTTP application Kestrel runs on data-plane listeners: straight into <see cref="HttpProxy"/>, without the
/// ASP.NET hosting pipeline (no middleware chain, hosting diagnostics or per-request scopes), which is cost a
/// sidecar pays on every request for nothing. The HttpContext is reused per connection, as hosting does.
/// </summary>
internal sealed class ProxyHttpApplication : IHttpApplication<HttpContext>
{
    private readonly HttpProxy _proxy;

    public ProxyHttpApplication(HttpProxy proxy) => _proxy = proxy;

    public HttpContext CreateContext(IFeatureCollection contextFeatures)
    {
        if (contextFeatures is IHostContextContainer<HttpContext> container)
        {
            if (container.HostContext is DefaultHttpContext reused)
            {
                reused.Initialize(contextFeatures);
                return reused;
            }
            var created = new DefaultHttpContext(contextFeatures);
            container.HostContext = created;
            return created;
        }
        return new DefaultHttpContext(contextFeatures);
    }

    public Task ProcessRequestAsync(HttpContext context)
        => _proxy.ProxyAsync(context, context.Features.GetRequiredFeature<DownstreamConnection>());

    public void DisposeContext(HttpContext context, Exception? exception)
    {
        if (context is DefaultHttpContext defaultContext)
        {
            defaultContext.Uninitialize();
        }
    }
}
