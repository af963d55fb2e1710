namespace Tcma.Rendering.Images;

/// <summary>
/// A bounded least-recently-used cache of native objects (typefaces, decoded images). A kit version's files never
/// change, so entries are keyed by version and name. Renders lease entries; an evicted entry is disposed when its
/// last lease ends, so a render never sees a disposed object and nothing native outlives the cache.
/// </summary>
internal sealed class AssetCache<T>(int capacity) : IDisposable where T : class, IDisposable
{
    internal sealed class Entry(string key, T value)
    {
        public readonly string Key = key;
        public readonly T Value = value;
        public int Leases;
        public bool Evicted;
        public LinkedListNode<Entry>? Node;
    }

    public readonly struct Lease : IDisposable
    {
        private readonly AssetCache<T>? _owner;
        private readonly Entry? _entry;
        internal Lease(AssetCache<T> owner, Entry entry) { _owner = owner; _entry = entry; }
        public T Value => _entry!.Value;
        public void Dispose() => _owner?.Release(_entry!);
    }

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    public int Count { get { lock (_lock) return _entries.Count; } }

    /// <summary>Leases the cached value, creating it on a miss; a factory that throws caches nothing.</summary>
    public Lease Get(string key, Func<T> create)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(key, out var hit))
            {
                _recency.Remove(hit.Node!);
                _recency.AddFirst(hit.Node!);
                hit.Leases++;
                return new Lease(this, hit);
            }
        }
        var value = create();
        lock (_lock)
        {
            if (_disposed) { value.Dispose(); throw new ObjectDisposedException(nameof(AssetCache<T>)); }
            if (_entries.TryGetValue(key, out var raced))
            {
                value.Dispose();
                raced.Leases++;
                return new Lease(this, raced);
            }
            var entry = new Entry(key, value) { Leases = 1 };
            entry.Node = _recency.AddFirst(entry);
            _entries[key] = entry;
            while (_entries.Count > capacity && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                oldest.Value.Evicted = true;
                if (oldest.Value.Leases == 0) oldest.Value.Value.Dispose();
            }
            return new Lease(this, entry);
        }
    }

    private void Release(Entry entry)
    {
        lock (_lock)
        {
            if (--entry.Leases == 0 && entry.Evicted) entry.Value.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var entry in _entries.Values)
            {
                entry.Evicted = true;
                if (entry.Leases == 0) entry.Value.Dispose();
            }
            _entries.Clear();
            _recency.Clear();
        }
    }
}

/// <summary>Rendered pixels of a template's static bottom layers (and what drawing them reported).</summary>
internal sealed record StaticLayers(byte[] Pixels, IReadOnlyList<RenderIssue> Warnings, IReadOnlyList<LayerPlacement> Placements);

/// <summary>Static layers kept as managed memory under a byte budget: nothing native to leak or dispose.</summary>
internal sealed class PixelCache(long budgetBytes)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, StaticLayers Pixels)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, StaticLayers Pixels)> _recency = new();
    private readonly Lock _lock = new();
    private long _bytes;

    public StaticLayers? Get(string key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node)) return null;
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Pixels;
        }
    }

    public void Put(string key, StaticLayers pixels)
    {
        if (pixels.Pixels.Length > budgetBytes) return;
        lock (_lock)
        {
            if (_entries.ContainsKey(key)) return;
            _entries[key] = _recency.AddFirst((key, pixels));
            _bytes += pixels.Pixels.Length;
            while (_bytes > budgetBytes && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                _bytes -= oldest.Value.Pixels.Pixels.Length;
            }
        }
    }
}
