using System.Runtime.InteropServices;

namespace MeshProxy.LoadRuns.Infrastructure;

/// <summary>Every process the run started and has not yet stopped; all of them are killed on exit, Ctrl+C or SIGTERM.</summary>
internal static class ProcessRegistry
{
    private static readonly List<ManagedProcess> Processes = [];
    private static readonly List<PosixSignalRegistration> Signals = [];
    private static bool _stopping;

    public static void InstallExitHandlers()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            Signals.Add(PosixSignalRegistration.Create(signal, context =>
            {
                Console.Error.WriteLine($"{context.Signal}: stopping every process of the run");
                KillAll();
            }));
        }
    }

    /// <summary>Registers a process; one started while the run is being stopped is killed at once.</summary>
    public static void Add(ManagedProcess process)
    {
        lock (Processes)
        {
            Processes.Add(process);
            if (!_stopping)
            {
                return;
            }
        }
        process.Kill();
    }

    public static void Remove(ManagedProcess process)
    {
        lock (Processes)
        {
            Processes.Remove(process);
        }
    }

    public static void KillAll()
    {
        ManagedProcess[] all;
        lock (Processes)
        {
            _stopping = true;
            all = [.. Processes];
        }
        foreach (var process in all)
        {
            process.Kill();
        }
    }
}
