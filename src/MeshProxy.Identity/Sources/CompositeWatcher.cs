namespace MeshProxy.Identity.Sources;

/// <summary>One <see cref="FileSystemWatcher"/> per folder, all calling the same callback on any change.</summary>
internal sealed class CompositeWatcher : IDisposable
{
    private readonly List<FileSystemWatcher> _watchers = [];

    public CompositeWatcher(IEnumerable<string> directories, Action onChange)
    {
        foreach (var directory in directories)
        {
            var watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            FileSystemEventHandler handler = (_, _) => onChange();
            watcher.Changed += handler;
            watcher.Created += handler;
            watcher.Deleted += handler;
            watcher.Renamed += (_, _) => onChange();
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }
    }
}
