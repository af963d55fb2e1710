namespace Tcma.Rendering.Images;

/// <summary>
/// The fonts Tcma draws its own documents with (not a kit's): DejaVu Sans, inside this assembly, served as if it were a
/// kit's files so that <see cref="ImageRenderer"/> loads and caches them the one way it loads every font.
/// </summary>
public static class BundledFonts
{
    public const string Regular = "DejaVuSans.ttf";
    public const string Bold = "DejaVuSans-Bold.ttf";

    /// <summary>Bump when a bundled font file changes, so no cached typeface of the old one is reused.</summary>
    public static IKitFiles Files { get; } = new InMemoryKitFiles("tcma-bundled-fonts-1", new Dictionary<string, byte[]>
    {
        [Regular] = Read(Regular),
        [Bold] = Read(Bold),
    });

    private static byte[] Read(string name)
    {
        using var stream = typeof(BundledFonts).Assembly.GetManifestResourceStream("Tcma.Rendering.Fonts." + name)
            ?? throw new InvalidOperationException($"the bundled font {name} is missing from {typeof(BundledFonts).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
