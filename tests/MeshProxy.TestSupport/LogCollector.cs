using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MeshProxy.TestSupport;

/// <summary>A logging provider that keeps every line a proxy logs, so tests can assert that something was logged.</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyCollection<LogLine> Lines => _lines;

    public bool Contains(int eventId) => _lines.Any(l => l.EventId == eventId);

    public IEnumerable<LogLine> WithEventId(int eventId) => _lines.Where(l => l.EventId == eventId);

    public async Task WaitForAsync(int eventId, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!Contains(eventId))
        {
            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No log line with event id {eventId} within {timeout}. Lines:\n{string.Join('\n', _lines)}");
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => lines.Enqueue(new LogLine(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}

public sealed record LogLine(string Category, LogLevel Level, int EventId, string Message, Exception? Exception = null)
{
    public override string ToString() => Exception is null ? $"{Level} {Category}[{EventId}] {Message}" : $"{Level} {Category}[{EventId}] {Message}\n{Exception}";
}
