using System.CommandLine;
using System.Text.Json;
using MeshProxy.LoadBalancing;

namespace MeshProxy.Cli.Commands;

/// <summary>
/// `meshproxy simulate --topology FILE [--json]`: the exact share of traffic each priority, locality and endpoint of
/// each cluster gets, computed by the data plane's own balancer (docs/load-balancing.md). Exit 1 on a bad topology.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology", "-t")
        {
            Description = "The topology file (YAML): client locality and peers, clusters with endpoints and their health. See examples/topologies/.",
            Required = true,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON (shares as fractions of 1) instead of text." };
        var command = new Command("simulate", "Print the exact share of traffic each priority, locality and endpoint gets, and which priorities are in panic.")
        {
            topology,
            json,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(topology).FullName, parse.GetValue(json), Console.Out, Console.Error));
        return command;
    }

    private static int Run(string file, bool asJson, TextWriter output, TextWriter errors)
    {
        var (read, problems) = TopologyReader.ReadFile(file);
        if (read is null)
        {
            ConfigErrorPrinter.Print(errors, problems);
            return 1;
        }
        var reports = TopologySimulation.Run(read);
        if (!asJson)
        {
            TrafficReportWriter.WriteText(output, reports);
            return 0;
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            TrafficReportWriter.WriteJson(writer, reports);
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        return 0;
    }
}
