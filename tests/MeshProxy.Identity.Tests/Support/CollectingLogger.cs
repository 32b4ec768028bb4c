using Microsoft.Extensions.Logging;

namespace MeshProxy.Identity.Tests.Support;

/// <summary>A logger that keeps every formatted line, so tests can wait for a log the code under test writes.</summary>
public sealed class CollectingLogger<T> : ILogger<T>
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add($"{logLevel} {eventId.Id} {formatter(state, exception)}");
        }
    }

    /// <summary>Waits, bounded, for a line containing <paramref name="text"/>.</summary>
    public Task<string> WaitForAsync(string text, TimeSpan timeout) =>
        Poll.UntilAsync(() => Lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)), timeout,
            () => $"No log line with '{text}'. Lines:\n{string.Join('\n', Lines)}");
}
