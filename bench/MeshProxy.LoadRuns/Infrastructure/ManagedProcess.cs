using System.Diagnostics;

namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>
/// A process this run started: optionally pinned to CPUs with taskset (which execs, so the pid is the program's own),
/// its output appended to a log file, and registered so that it is killed, with its whole tree, when the run ends
/// for any reason.
/// </summary>
internal sealed class ManagedProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter? _log;
    private readonly System.Text.StringBuilder? _captured;

    private ManagedProcess(Process process, StreamWriter? log, System.Text.StringBuilder? captured)
    {
        _process = process;
        _log = log;
        _captured = captured;
    }

    public int Pid => _process.Id;

    public string Name { get; private init; } = "";

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Standard output and error, when the process was started with <c>capture: true</c>.</summary>
    public string Output
    {
        get
        {
            lock (_captured!)
            {
                return _captured.ToString();
            }
        }
    }

    public static ManagedProcess Start(string name, string file, IEnumerable<string> arguments, string? logPath = null, string? cpus = null,
        IReadOnlyDictionary<string, string>? environment = null, bool capture = false)
    {
        var info = new ProcessStartInfo
        {
            FileName = cpus is null ? file : "taskset",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (cpus is not null)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(cpus);
            info.ArgumentList.Add(file);
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var log = logPath is null ? null : new StreamWriter(logPath, append: true) { AutoFlush = true };
        var captured = capture ? new System.Text.StringBuilder() : null;
        var process = new Process { StartInfo = info };
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }
            if (log is not null)
            {
                lock (log)
                {
                    log.WriteLine(e.Data);
                }
            }
            if (captured is not null)
            {
                lock (captured)
                {
                    captured.AppendLine(e.Data);
                }
            }
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        log?.WriteLine($"# {DateTime.UtcNow:O} {info.FileName} {string.Join(' ', info.ArgumentList)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var managed = new ManagedProcess(process, log, captured) { Name = name };
        ProcessRegistry.Add(managed);
        return managed;
    }

    /// <summary>Waits for the process to exit by itself, killing it if it outlives the bound.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            Kill();
            return false;
        }
    }

    /// <summary>Kills the process and everything it started, and waits (bounded) for it to be gone.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        ProcessRegistry.Remove(this);
        _process.WaitForExit(1000);
        _process.Dispose();
        if (_log is not null)
        {
            lock (_log)
            {
                _log.Dispose();
            }
        }
    }
}
