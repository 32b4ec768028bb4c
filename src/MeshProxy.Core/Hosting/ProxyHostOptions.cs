using MeshProxy.Configuration;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Hosting;

/// <summary>How to run a proxy: its initial config, the file to watch, logging, signal handling and I/O scheduling.</summary>
public sealed class ProxyHostOptions
{
    /// <summary>The validated config to start with.</summary>
    public required ProxyConfig Config { get; init; }

    /// <summary>When set, this file is watched and reloaded on change.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The lowest level logged for the proxy's own categories. Default: Information.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Whether SIGTERM and Ctrl+C start a drain. True for the command line; false when a test or the demo hosts the proxy.</summary>
    public bool HandleSignals { get; init; } = true;

    /// <summary>
    /// Where socket work runs (<see cref="IoScheduling"/>). <see cref="IoScheduling.EventLoop"/> here sets Kestrel's
    /// transport to continue inline; the process half is <see cref="EventLoopProcess.Configure"/>, called before the host exists.
    /// </summary>
    public IoScheduling IoScheduling { get; init; } = IoScheduling.ThreadPool;

    /// <summary>Extra logging setup applied after the defaults (for example an extra provider that collects log lines).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
