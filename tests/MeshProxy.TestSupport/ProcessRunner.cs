using System.Diagnostics;
using System.Text;

namespace MeshProxy.TestSupport;

/// <summary>What a finished process printed and returned.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}

/// <summary>
/// Runs real programs (curl, openssl, h2load, ip, the meshproxy binary) with a hard time limit, so a hung
/// process fails its test instead of hanging the run. The whole process tree is killed on timeout.
/// </summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        string? standardInput = null, IDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        using var process = new Process { StartInfo = CreateStartInfo(fileName, arguments, environment) };
        process.StartInfo.RedirectStandardInput = standardInput is not null;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"'{fileName} {string.Join(' ', arguments)}' did not finish within {timeout}.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        // WaitForExitAsync returns once the output streams are drained too.
        return new ProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Starts a long-running process (a server); the caller disposes it, which kills it.</summary>
    public static RunningProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var process = new Process { StartInfo = CreateStartInfo(fileName, arguments, environment) };
        var running = new RunningProcess(process);
        process.OutputDataReceived += (_, e) => running.Append(e.Data);
        process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    private static ProcessStartInfo CreateStartInfo(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }
        return info;
    }
}

/// <summary>A background process started by a test; disposing it kills it and its children.</summary>
public sealed class RunningProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();

    internal RunningProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Everything the process printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    internal void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Waits, bounded, until the output contains <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The process exited ({Process.ExitCode}) before printing '{text}'. Output:\n{Output}");
            }
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The process did not print '{text}' within {timeout}. Output:\n{Output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync(CancellationToken.None);
        }
        Process.Dispose();
    }
}
