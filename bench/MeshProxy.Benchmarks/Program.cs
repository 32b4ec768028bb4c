using BenchmarkDotNet.Running;

// Pick benchmarks on the command line, e.g. `dotnet run -c Release -- --filter '*LoadBalancing*' --job short`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
