using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns;

/// <summary>What every contender and scenario of one run shares: options, CPU plan, the backend, a scratch folder.</summary>
internal sealed class RunContext
{
    public required RunOptions Options { get; init; }

    public required CpuPlan Cpus { get; init; }

    public required string RunDirectory { get; init; }

    public required string RepositoryRoot { get; init; }

    public required Backend Backend { get; init; }

    /// <summary>A folder for one contender's config and logs.</summary>
    public string DirectoryFor(string name)
    {
        var path = Path.Combine(RunDirectory, name);
        Directory.CreateDirectory(path);
        return path;
    }
}
