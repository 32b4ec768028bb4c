using MeshProxy.LoadRuns.Commands;

// meshproxy-loadruns run [--quick] ...   the whole load run (what bench/run-load.sh calls)
// meshproxy-loadruns yarp ...            the bare YARP contender, as its own process
// meshproxy-loadruns bulk-client ...     the L4 bulk download client, as its own process
return args.FirstOrDefault() switch
{
    "run" => await RunCommand.RunAsync(args[1..]),
    "yarp" => await BareYarpCommand.RunAsync(args[1..]),
    "bulk-client" => await BulkClientCommand.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: meshproxy-loadruns run [--quick] [--rounds N] [--pin none|split] [--contenders a,b] [--scenarios a,b]
                                      [--meshproxy PATH/meshproxy.dll] [--out FILE] [--duration S]
                                      [--warmup S] [--quiet-wait S] [--variant name:KEY=VALUE,...]
               meshproxy-loadruns yarp --listen 127.0.0.1:PORT --upstream http://127.0.0.1:PORT/
               meshproxy-loadruns bulk-client --target 127.0.0.1:PORT --path /bulk --connections N --seconds S
        """);
    return 2;
}
