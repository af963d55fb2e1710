using Tcma.Rendering.Images;

namespace Tcma.UnitTests.Rendering.Images;

public class AssetCacheTests
{
    private sealed class Native : IDisposable
    {
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = Disposed ? throw new ObjectDisposedException("disposed twice") : true;
    }

    [Fact]
    public void An_evicted_entry_is_disposed_only_when_its_last_lease_ends()
    {
        var cache = new AssetCache<Native>(capacity: 1);
        var a = new Native();
        var leaseA = cache.Get("a", () => a);
        using (cache.Get("b", () => new Native())) { }
        Assert.Equal(1, cache.Count);
        Assert.False(a.Disposed); // a render still holds it
        leaseA.Dispose();
        Assert.True(a.Disposed);
    }

    [Fact]
    public void A_hit_reuses_the_value_and_disposing_the_cache_disposes_everything_once()
    {
        var cache = new AssetCache<Native>(capacity: 4);
        var created = 0;
        Native Create() { created++; return new Native(); }
        Native first;
        using (var lease = cache.Get("a", Create)) first = lease.Value;
        using (var lease = cache.Get("a", Create)) Assert.Same(first, lease.Value);
        Assert.Equal(1, created);
        cache.Dispose();
        Assert.True(first.Disposed);
        Assert.Throws<ObjectDisposedException>(() => cache.Get("a", Create));
    }

    [Fact]
    public void A_failing_factory_caches_nothing()
    {
        var cache = new AssetCache<Native>(capacity: 4);
        Assert.Throws<InvalidOperationException>(() => cache.Get("a", () => throw new InvalidOperationException("bad font")));
        Assert.Equal(0, cache.Count);
    }
}
