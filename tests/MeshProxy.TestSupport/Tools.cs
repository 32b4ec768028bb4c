namespace MeshProxy.TestSupport;

/// <summary>
/// Finds the real command-line tools tests use. A missing tool fails the test with a message that says how to
/// install it, rather than a confusing "file not found".
/// </summary>
public static class Tools
{
    public static string Require(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin", "/usr/bin"]))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"The test needs '{name}', which is not installed. Run tests/run.sh, which installs every test prerequisite.");
    }
}
