using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>`--io-scheduling` on the real binary, for both proxy verbs: what the process ends up running on.</summary>
public sealed class IoSchedulingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Both verbs run socket work on the polling threads by default (IoScheduling.EventLoop), which .NET shows as one
    /// ".NET Sockets" thread per core instead of one per 30 cores; `--io-scheduling thread-pool` keeps .NET's default,
    /// and so does an operator's DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0. (On a one-core machine both counts are 1.)
    /// </summary>
    [Theory]
    [InlineData("gateway", null, null, true)]
    [InlineData("gateway", null, "0", false)]
    [InlineData("run", null, null, true)]
    [InlineData("run", "thread-pool", null, false)]
    [InlineData("gateway", "thread-pool", null, false)]
    public async Task SocketEventThreads_OnePerCoreByDefault_UnlessAskedOtherwise(string verb, string? ioScheduling, string? inlineCompletions, bool eventLoop)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("meshproxy-io-").FullName, "proxy.yaml");
        await File.WriteAllTextAsync(path, "admin: { address: 127.0.0.1:0, readinessAddress: , metricsAddress: }\nlisteners: []\n");
        var environment = inlineCompletions is null ? null : new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = inlineCompletions };
        string[] arguments = ioScheduling is null
            ? [RepositoryPaths.MeshProxyDll, verb, "--config", path]
            : [RepositoryPaths.MeshProxyDll, verb, "--config", path, "--io-scheduling", ioScheduling];
        await using var proxy = ProcessRunner.Start("dotnet", arguments, environment);
        await proxy.WaitForOutputAsync("Config version 1 applied", Timeout);

        var expected = eventLoop ? Environment.ProcessorCount : Math.Max(1, (int)Math.Round(Environment.ProcessorCount / 30.0));
        // The threads name themselves once running: give them a moment.
        var socketThreads = 0;
        for (var attempt = 0; attempt < 50 && socketThreads != expected; attempt++)
        {
            await Task.Delay(100);
            socketThreads = SocketEventThreads(proxy.Process.Id);
        }

        Assert.True(expected == socketThreads, $"{verb}: {socketThreads} socket event threads, expected {expected}\n{proxy.Output}");
    }

    private static int SocketEventThreads(int processId) => Directory.GetDirectories($"/proc/{processId}/task")
        .Count(task => File.Exists(Path.Combine(task, "comm")) && File.ReadAllText(Path.Combine(task, "comm")).Trim() == ".NET Sockets");

    [Fact]
    public async Task UnknownValue_IsRejectedWithTheChoices()
    {
        var result = await ProcessRunner.RunAsync("dotnet", [RepositoryPaths.MeshProxyDll, "run", "--io-scheduling", "fast"], Timeout);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--io-scheduling: 'fast' is neither event-loop nor thread-pool", result.StandardError);
    }
}
