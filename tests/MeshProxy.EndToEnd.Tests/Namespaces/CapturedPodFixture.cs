using Xunit;

namespace MeshProxy.EndToEnd.Tests.Namespaces;

/// <summary>
/// One <see cref="CapturedPod"/> shared by a test class (its tests run one after another, so counter deltas are
/// theirs alone). Without root nothing starts, and <see cref="Require"/> skips or fails each test instead.
/// </summary>
public abstract class CapturedPodFixture : IAsyncLifetime
{
    private CapturedPod? _pod;

    /// <summary>The running pod; call first in every test.</summary>
    public CapturedPod Require()
    {
        RootOnly.Require();
        return _pod ?? throw new InvalidOperationException("The captured pod did not start; see the fixture's error.");
    }

    public async ValueTask InitializeAsync()
    {
        if (RootOnly.IsRoot)
        {
            _pod = await StartAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_pod is not null)
        {
            await _pod.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    protected abstract Task<CapturedPod> StartAsync();
}
