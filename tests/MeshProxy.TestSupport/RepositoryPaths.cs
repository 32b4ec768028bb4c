namespace MeshProxy.TestSupport;

/// <summary>Locates files of the repository and the built meshproxy binary from a test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>
    /// The built meshproxy.dll (run it with `dotnet`). Tests that start the real binary as a separate process use
    /// this; the test projects build it first, so it matches the code under test.
    /// </summary>
    public static string MeshProxyDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Combine("src", "MeshProxy", "bin", configuration, "net10.0", "meshproxy.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The meshproxy binary is not built at {path}; build Proxy.sln first.");
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Proxy.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (Proxy.sln) above " + AppContext.BaseDirectory);
    }
}
