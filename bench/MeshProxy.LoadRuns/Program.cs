using MeshProxy.LoadRuns.Commands;

// meshproxy-loadruns run [--quick] ...   the whole load run (what bench/run-load.sh calls)
// meshproxy-loadruns yarp ...            the bare YARP contender, as its own process
// meshproxy-loadruns bulk-client ...     the L4 bulk download client, as its own process
// meshproxy-loadruns otlp-sink ...       an OTLP collector that discards traces (the telemetry contenders)
// meshproxy-loadruns delay-backend ...   backends of which one is sometimes slow (the resilience contenders)
return args.FirstOrDefault() switch
{
    "run" => await RunCommand.RunAsync(args[1..]),
    "yarp" => await BareYarpCommand.RunAsync(args[1..]),
    "bulk-client" => await BulkClientCommand.RunAsync(args[1..]),
    "otlp-sink" => await OtlpSinkCommand.RunAsync(args[1..]),
    "delay-backend" => await DelayBackendCommand.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: meshproxy-loadruns run [--quick] [--suite mtls|telemetry|capture|resilience] [--rounds N] [--pin none|split]
                                      [--contenders a,b] [--scenarios a,b]
                                      [--meshproxy PATH/meshproxy.dll] [--out FILE] [--duration S]
                                      [--warmup S] [--quiet-wait S] [--variant name:KEY=VALUE,...]
               meshproxy-loadruns yarp --listen 127.0.0.1:PORT --upstream http://127.0.0.1:PORT/
               meshproxy-loadruns bulk-client --target 127.0.0.1:PORT --path /bulk --connections N --seconds S
               meshproxy-loadruns otlp-sink --grpc 127.0.0.1:PORT --http 127.0.0.1:PORT
               meshproxy-loadruns delay-backend --listen 127.0.0.1:PORT [--listen ...] --slow 127.0.0.1:PORT
                                                [--slow-percent 5] [--delay-ms 200]
        """);
    return 2;
}
