using System.Buffers;
using System.Threading.Channels;
using MeshProxy.Configuration;
using Microsoft.Extensions.Hosting;

namespace MeshProxy.Telemetry.AccessLog;

/// <summary>
/// Writes access-log lines from a bounded queue on a background task, so the proxy never waits on the log: when the
/// queue is full, a line is dropped and counted (meshproxy_access_log_dropped_total) instead. Lines are batched into
/// one write per burst and flushed when the queue runs dry.
/// </summary>
public sealed class AccessLogWriter : BackgroundService
{
    private readonly Channel<AccessLogEntry> _queue;
    private readonly AccessLogConfig _config;
    private long _dropped;
    private long _written;

    public AccessLogWriter(AccessLogConfig config)
    {
        _config = config;
        _queue = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(config.QueueCapacity)
        {
            // Wait mode makes TryWrite return false when full (DropWrite would drop silently), so drops can be counted.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public bool Enabled => _config.Enabled;

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Written => Interlocked.Read(ref _written);

    /// <summary>Queues a line; never blocks. Returns false (and counts it) when the queue is full.</summary>
    public bool TryEnqueue(AccessLogEntry entry)
    {
        if (_queue.Writer.TryWrite(entry))
        {
            return true;
        }
        Interlocked.Increment(ref _dropped);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_config.Enabled)
        {
            return;
        }
        await using var output = OpenOutput();
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (buffer.WrittenCount < 256 * 1024 && reader.TryRead(out var entry))
                {
                    AccessLogFormatter.Write(buffer, entry, _config.Format);
                    Interlocked.Increment(ref _written);
                }
                await output.WriteAsync(buffer.WrittenMemory, stoppingToken);
                await output.FlushAsync(stoppingToken);
                buffer.ResetWrittenCount();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: write what is already queued, then stop.
            while (reader.TryRead(out var entry))
            {
                AccessLogFormatter.Write(buffer, entry, _config.Format);
                Interlocked.Increment(ref _written);
            }
            await output.WriteAsync(buffer.WrittenMemory, CancellationToken.None);
            await output.FlushAsync(CancellationToken.None);
        }
    }

    private Stream OpenOutput() => _config.Path switch
    {
        "stdout" => Console.OpenStandardOutput(),
        "stderr" => Console.OpenStandardError(),
        var path => new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1, useAsync: true),
    };
}
