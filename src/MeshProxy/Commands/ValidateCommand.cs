using System.CommandLine;
using MeshProxy.Configuration;

namespace MeshProxy.Cli.Commands;

/// <summary>`meshproxy validate --config FILE`: every error with file, line, YAML path and reason; exit 1 if any.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var config = CommonOptions.ConfigFile(required: true);
        var command = new Command("validate", "Check a config file and print every error with its file, line, YAML path and reason. Exits 0 when valid, 1 otherwise.")
        {
            config,
        };
        command.SetAction(parse =>
        {
            var file = parse.GetRequiredValue(config);
            var result = ConfigLoader.LoadFile(file.FullName);
            if (!result.Succeeded)
            {
                ConfigErrorPrinter.Print(Console.Error, result.Errors);
                return 1;
            }
            var loaded = result.Config!;
            Console.WriteLine($"{file.FullName}: valid ({loaded.Listeners.Count} listeners, {loaded.RouteTables.Count} route tables, {loaded.Clusters.Count} clusters)");
            return 0;
        });
        return command;
    }
}
