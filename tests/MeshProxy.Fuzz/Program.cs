using MeshProxy.Fuzz;
using SharpFuzz;

// With file arguments, replay them (a crash AFL++ found, or the seed corpus as a smoke test); without, serve AFL++.
if (args.Length > 0)
{
    foreach (var path in args)
    {
        ClientHelloFuzzTarget.Run(File.ReadAllBytes(path));
        Console.WriteLine($"ok {path}");
    }
    return;
}
Fuzzer.Run(ClientHelloFuzzTarget.Run);
