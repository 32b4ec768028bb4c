using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MeshProxy.LoadRuns.Results;

namespace MeshProxy.LoadRuns.Commands;

/// <summary>
/// The L4 bulk client: N keep-alive connections, each downloading the backend's large file over and over for a fixed
/// time, reading with 256 KiB receives so the client costs as little CPU as possible. It speaks just enough HTTP/1.1
/// (a GET, Content-Length) to drive nginx through each proxy's TCP mode. Prints one JSON <see cref="BulkReport"/>.
/// Bounded: it stops at the deadline, mid-download if need be, counting every byte received until then.
/// </summary>
internal static class BulkClientCommand
{
    private const int ReceiveBytes = 256 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        var target = IPEndPoint.Parse(CommandLine.Value(args, "--target") ?? throw new ArgumentException("--target 127.0.0.1:PORT is required"));
        var path = CommandLine.Value(args, "--path") ?? "/";
        var connections = int.Parse(CommandLine.Value(args, "--connections") ?? "4", System.Globalization.CultureInfo.InvariantCulture);
        var seconds = double.Parse(CommandLine.Value(args, "--seconds") ?? "10", System.Globalization.CultureInfo.InvariantCulture);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(_ => DownloadLoopAsync(target, path, deadline.Token)).ToArray();
        var results = await Task.WhenAll(workers);
        var elapsed = stopwatch.Elapsed.TotalSeconds;

        var durations = results.SelectMany(r => r.DownloadMs).ToList();
        var report = new BulkReport(
            Bytes: results.Sum(r => r.Bytes),
            Seconds: elapsed,
            Downloads: durations.Count,
            P50Ms: Percentiles.Of(durations, 50),
            P99Ms: Percentiles.Of(durations, 99),
            Errors: results.Sum(r => r.Errors));
        Console.WriteLine(JsonSerializer.Serialize(report));
        return 0;
    }

    private sealed class WorkerResult
    {
        public long Bytes;
        public int Errors;
        public List<double> DownloadMs { get; } = [];
    }

    private static async Task<WorkerResult> DownloadLoopAsync(IPEndPoint target, string path, CancellationToken deadline)
    {
        var result = new WorkerResult();
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
        var buffer = new byte[ReceiveBytes];
        while (!deadline.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 1024 * 1024 };
            try
            {
                await socket.ConnectAsync(target, deadline);
                while (true)
                {
                    var started = Stopwatch.GetTimestamp();
                    await socket.SendAsync(request, SocketFlags.None, deadline);
                    if (!await ReadResponseAsync(socket, buffer, result, deadline))
                    {
                        result.Errors++;
                        break;
                    }
                    result.DownloadMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                result.Errors++;
            }
        }
        return result;
    }

    /// <summary>Reads one response: headers up to the blank line, then Content-Length bytes of body.</summary>
    private static async Task<bool> ReadResponseAsync(Socket socket, byte[] buffer, WorkerResult result, CancellationToken deadline)
    {
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == buffer.Length)
            {
                return false;
            }
            var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, deadline);
            if (n == 0)
            {
                return false;
            }
            filled += n;
            result.Bytes += n;
        }
        var headers = buffer.AsSpan(0, headerEnd);
        if (!headers.StartsWith("HTTP/1.1 200"u8) || ContentLength(headers) is not { } length)
        {
            return false;
        }
        var remaining = length - (filled - headerEnd - 4);
        while (remaining > 0)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline);
            if (n == 0)
            {
                return false;
            }
            remaining -= n;
            result.Bytes += n;
        }
        return remaining == 0;
    }

    private static long? ContentLength(ReadOnlySpan<byte> headers)
    {
        var name = "\r\ncontent-length:"u8;
        for (var i = 0; i + name.Length <= headers.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(headers.Slice(i, name.Length), name))
            {
                var value = headers[(i + name.Length)..];
                var end = value.IndexOf("\r\n"u8);
                value = (end < 0 ? value : value[..end]).Trim((byte)' ');
                return Utf8Parser.TryParse(value, out long length, out _) ? length : null;
            }
        }
        return null;
    }
}

/// <summary>What the bulk client prints: bytes received (headers included) over the elapsed seconds, and per-download times.</summary>
internal sealed record BulkReport(long Bytes, double Seconds, int Downloads, double P50Ms, double P99Ms, int Errors);
