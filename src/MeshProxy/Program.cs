using System.CommandLine;
using MeshProxy.Cli.Commands;

// meshproxy: a sidecar and east-west gateway proxy. Each verb lives in Commands/.
var root = new RootCommand("meshproxy: a service-mesh sidecar and east-west gateway proxy (transparent capture, mTLS, smart routing, resilience, telemetry).")
{
    RunCommand.Create(),
    GatewayCommand.Create(),
    ValidateCommand.Create(),
    DemoCommand.Create(),
    CaCommand.Create(),
    SimulateCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
