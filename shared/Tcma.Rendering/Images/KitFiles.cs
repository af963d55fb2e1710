using System.Collections.Frozen;

namespace Tcma.Rendering.Images;

/// <summary>
/// The files of one kit version (fonts, images) by name. The kit capability serves them from blobs; tests and the
/// benchmark from a folder or memory. A version never changes content, so decoded assets are cached per version.
/// </summary>
public interface IKitFiles
{
    string Version { get; }

    /// <summary>The file's bytes, or null when the kit has no such file.</summary>
    byte[]? Read(string name);
}

public sealed class InMemoryKitFiles(string version, IReadOnlyDictionary<string, byte[]> files) : IKitFiles
{
    private readonly FrozenDictionary<string, byte[]> _files = files.ToFrozenDictionary(StringComparer.Ordinal);
    public string Version { get; } = version;
    public byte[]? Read(string name) => _files.GetValueOrDefault(name);
}

/// <summary>A kit laid out in a folder; names are relative paths and never escape the folder.</summary>
public sealed class DirectoryKitFiles(string root, string version) : IKitFiles
{
    private readonly string _root = Path.GetFullPath(root);
    public string Version { get; } = version;

    public byte[]? Read(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || Path.IsPathRooted(name)) return null;
        var full = Path.GetFullPath(Path.Combine(_root, name));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return null;
        return File.Exists(full) ? File.ReadAllBytes(full) : null;
    }
}
