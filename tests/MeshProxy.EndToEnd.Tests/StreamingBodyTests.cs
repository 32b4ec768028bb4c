using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>Bodies are streamed through the proxy, never buffered whole.</summary>
public sealed class StreamingBodyTests
{
    [Fact]
    public async Task Upload_LargeBody_ArrivesIntact()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.Http1Address));
        var body = new byte[48 * 1024 * 1024];
        new Random(7).NextBytes(body);
        using var client = new HttpClient();

        using var response = await client.PostAsync(proxy.ListenerUri("web", "/upload"), new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))}\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Download_LargeBody_ArrivesIntact()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.H2cAddress));
        const long size = 64L * 1024 * 1024;

        var result = await Curl.RunAsync("--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
            proxy.ListenerUri("web", $"/bytes/{size}").ToString());

        Assert.Equal($"200 {size}", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Response_FirstChunkReachesClientBeforeBackendFinishes()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.Http1Address));
        using var client = new HttpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        using var response = await client.GetAsync(proxy.ListenerUri("web", "/gated"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // The backend is still holding the rest of the response: the first line can only arrive if the proxy streams.
        Assert.Equal("first chunk", await reader.ReadLineAsync(timeout.Token));
        backend.OpenGate();
        Assert.Equal("second chunk", await reader.ReadLineAsync(timeout.Token));
    }

    [Fact]
    public async Task Request_BackendReadsFirstPartBeforeClientSendsTheRest()
    {
        var firstPartSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync(mapEndpoints: app => Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapPost(app, "/stream-in",
            async (Microsoft.AspNetCore.Http.HttpContext context) =>
            {
                var buffer = new byte[5];
                await context.Request.Body.ReadExactlyAsync(buffer);
                firstPartSeen.TrySetResult();
                using var rest = new StreamReader(context.Request.Body);
                return Microsoft.AspNetCore.Http.Results.Text(System.Text.Encoding.ASCII.GetString(buffer) + await rest.ReadToEndAsync());
            }));
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.Http1Address));
        using var client = new HttpClient();
        var content = new PushContent(async stream =>
        {
            await stream.WriteAsync("first"u8.ToArray());
            await stream.FlushAsync();
            await firstPartSeen.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await stream.WriteAsync("+rest"u8.ToArray());
        });

        using var response = await client.PostAsync(proxy.ListenerUri("web", "/stream-in"), content);

        Assert.Equal("first+rest", await response.Content.ReadAsStringAsync());
    }

    /// <summary>A request body written by the test as it goes (chunked).</summary>
    private sealed class PushContent(Func<Stream, Task> write) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => write(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
