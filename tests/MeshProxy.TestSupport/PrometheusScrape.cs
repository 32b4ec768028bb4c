using System.Text.Json;

namespace MeshProxy.TestSupport;

/// <summary>One sample of a scraped metric: its name, its labels and its value.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"{Name} has no label '{name}'");
}

/// <summary>
/// Scrapes a Prometheus endpoint and parses the text with the official Prometheus client library's parser
/// (prometheus_client.parser, Debian's python3-prometheus-client), not with regular expressions.
/// </summary>
public static class PrometheusScrape
{
    private const string Parser = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        samples = []
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                samples.append({"name": s.name, "labels": s.labels, "value": s.value})
        json.dump(samples, sys.stdout)
        """;

    public static async Task<IReadOnlyList<MetricSample>> ScrapeAsync(Uri uri)
    {
        using var client = new HttpClient();
        var text = await client.GetStringAsync(uri);
        return await ParseAsync(text);
    }

    public static async Task<IReadOnlyList<MetricSample>> ParseAsync(string text)
    {
        // Debian's interpreter, where python3-prometheus-client installs (a pyenv python3 earlier on PATH lacks it).
        const string python = "/usr/bin/python3";
        if (!File.Exists(python))
        {
            throw new InvalidOperationException("The test needs Debian's python3 and python3-prometheus-client. Run tests/run.sh, which installs every test prerequisite.");
        }
        var result = await ProcessRunner.RunAsync(python, ["-c", Parser], TimeSpan.FromSeconds(30), standardInput: text);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"The Prometheus parser rejected the exposition:\n{result}\n{text}");
        }
        using var json = JsonDocument.Parse(result.StandardOutput);
        return json.RootElement.EnumerateArray().Select(sample => new MetricSample(
            sample.GetProperty("name").GetString()!,
            sample.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            sample.GetProperty("value").GetDouble())).ToList();
    }
}
