using BenchmarkDotNet.Running;

// Pick benchmarks with: dotnet run -c Release -- --filter '*LoadBalancing*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
