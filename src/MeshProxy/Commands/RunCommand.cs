using System.CommandLine;
using MeshProxy.Configuration;
using MeshProxy.Hosting;
using MeshProxy.Listeners;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Cli.Commands;

/// <summary>`meshproxy run [--config FILE]`: the sidecar. SIGTERM or POST /quitquitquit drains it and exits 0.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = CommonOptions.ConfigFile(required: false);
        var logLevel = CommonOptions.LogLevelOption();
        var ioScheduling = CommonOptions.IoSchedulingOption();
        var command = new Command("run", "Run the proxy. Without --config it runs the built-in sidecar default: capture listeners on 15001 (outbound) and 15006 (inbound) that pass traffic through to its original destination, admin on 127.0.0.1:15000, readiness on :15021, metrics on :15090. The config file is watched and reloaded on change.")
        {
            config,
            logLevel,
            ioScheduling,
        };
        command.SetAction((parse, cancellationToken) => RunProxyAsync(parse.GetValue(config), () => DefaultConfigs.Sidecar, parse.GetValue(logLevel),
            parse.GetValue(ioScheduling), cancellationToken));
        return command;
    }

    /// <summary>
    /// Runs a proxy from <paramref name="file"/> (watched for changes), or from <paramref name="builtIn"/> without one,
    /// until it is drained. Exit code: 0 after a drain, 1 when the config is invalid or a port cannot be bound.
    /// </summary>
    public static async Task<int> RunProxyAsync(FileInfo? file, Func<ProxyConfig> builtIn, LogLevel logLevel, IoScheduling ioScheduling, CancellationToken cancellationToken)
    {
        if (ioScheduling == IoScheduling.EventLoop)
        {
            // First, before any socket or thread-pool worker exists.
            EventLoopProcess.Configure();
        }
        ProxyConfig proxyConfig;
        if (file is null)
        {
            proxyConfig = builtIn();
        }
        else
        {
            var result = ConfigLoader.LoadFile(file.FullName);
            if (!result.Succeeded)
            {
                ConfigErrorPrinter.Print(Console.Error, result.Errors);
                return 1;
            }
            proxyConfig = result.Config!;
        }

        await using var host = ProxyHost.Create(new ProxyHostOptions
        {
            Config = proxyConfig,
            ConfigPath = file?.FullName,
            LogLevel = logLevel,
            IoScheduling = ioScheduling,
        });
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (ListenerBindException ex)
        {
            Console.Error.WriteLine($"meshproxy: {ex.Message}");
            return 1;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"meshproxy: cannot start the admin server: {ex.Message}");
            return 1;
        }
        await host.WaitForShutdownAsync();
        return 0;
    }
}
