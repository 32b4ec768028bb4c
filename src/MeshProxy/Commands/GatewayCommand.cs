using System.CommandLine;
using MeshProxy.Configuration;

namespace MeshProxy.Cli.Commands;

/// <summary>
/// `meshproxy gateway [--config FILE]`: the east-west gateway. It reads each connection's TLS ClientHello and passes
/// the still-encrypted connection through to the cluster its server name (SNI) routes to. SIGTERM or
/// POST /quitquitquit drains it and exits 0.
/// </summary>
internal static class GatewayCommand
{
    public static Command Create()
    {
        var config = CommonOptions.ConfigFile(required: false);
        config.Description = "The config file (YAML), watched and reloaded on change. Without it the built-in gateway default runs.";
        var logLevel = CommonOptions.LogLevelOption();
        var ioScheduling = CommonOptions.IoSchedulingOption();
        var command = new Command("gateway",
            "Run the east-west gateway (SNI router). It never terminates TLS: each connection's ClientHello is read, its server "
            + "name picks a cluster (Istio AUTO_PASSTHROUGH names outbound_.<port>_.<subset>_.<fqdn>, and explicit serverNames "
            + "rules), and the bytes are relayed untouched to an endpoint of that cluster. Without --config it runs the built-in "
            + "default: a tls listener on [::]:15443 exposing *.local services by AUTO_PASSTHROUGH (it declares no clusters, so "
            + "it refuses everything until given a config), admin on 127.0.0.1:15000, readiness on :15021, metrics on :15090.")
        {
            config,
            logLevel,
            ioScheduling,
        };
        command.SetAction((parse, cancellationToken) => RunCommand.RunProxyAsync(parse.GetValue(config), () => DefaultConfigs.Gateway, parse.GetValue(logLevel),
            parse.GetValue(ioScheduling), cancellationToken));
        return command;
    }
}
