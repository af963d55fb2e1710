using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace Tcma.Rendering.Images;

/// <summary>Encodes one opaque RGBA (alpha ignored) raster; deterministic: the same pixels give the same bytes.</summary>
public interface IImageEncoder
{
    /// <summary>Which library does the work, for the start-up log and the benchmark.</summary>
    string Name { get; }
    byte[]? Encode(IntPtr rgba, int width, int height, int rowBytes, int quality);
}

public enum ImageEncoderPreference
{
    /// <summary>libjpeg-turbo's TurboJPEG and the system libwebp when loadable, Skia's encoders otherwise.</summary>
    Native,
    /// <summary>Skia's bundled encoders only (the fallback; also what a machine without the libraries gets).</summary>
    Skia,
}

/// <summary>The JPEG and WebP encoders a renderer uses, chosen once when it is built.</summary>
public sealed record ImageEncoders(IImageEncoder Jpeg, IImageEncoder Webp)
{
    public static readonly IImageEncoder SkiaJpeg = new SkiaJpegEncoder();
    public static readonly IImageEncoder SkiaWebp = new SkiaWebpEncoder();

    /// <summary>The encoders for a preference; the native libraries are probed once per process.</summary>
    public static ImageEncoders For(ImageEncoderPreference preference) => preference switch
    {
        ImageEncoderPreference.Skia => new(SkiaJpeg, SkiaWebp),
        _ => new(NativeDefaults.Jpeg ?? SkiaJpeg, NativeDefaults.Webp ?? SkiaWebp),
    };

    /// <summary>Native encoders from the first loadable candidate of each, Skia's where none loads.</summary>
    internal static ImageEncoders Load(IEnumerable<string> turboJpeg, IEnumerable<string> libWebp) =>
        new(TurboJpegEncoder.TryCreate(turboJpeg) ?? SkiaJpeg, LibWebpEncoder.TryCreate(libWebp) ?? SkiaWebp);

    /// <summary>The app directory first (a self-contained publish carries its own copies), then the system's paths.</summary>
    internal static IEnumerable<string> Candidates(string fileName) =>
        [Path.Combine(AppContext.BaseDirectory, fileName), fileName];

    internal static IntPtr TryLoad(IEnumerable<string> candidates)
    {
        foreach (var candidate in candidates)
            if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        return IntPtr.Zero;
    }

    public override string ToString() => $"jpeg: {Jpeg.Name}, webp: {Webp.Name}";

    private static class NativeDefaults
    {
        public static readonly IImageEncoder? Jpeg = TurboJpegEncoder.TryCreate(Candidates("libturbojpeg.so.0"));
        public static readonly IImageEncoder? Webp = LibWebpEncoder.TryCreate(Candidates("libwebp.so.7"));
    }
}

internal sealed class SkiaJpegEncoder : IImageEncoder
{
    public string Name => "Skia (bundled libjpeg-turbo, no speed settings)";
    public byte[]? Encode(IntPtr rgba, int width, int height, int rowBytes, int quality)
    {
        using var pixmap = new SKPixmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), rgba, rowBytes);
        using var data = pixmap.Encode(new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore));
        return data?.ToArray();
    }
}

internal sealed class SkiaWebpEncoder : IImageEncoder
{
    public string Name => "Skia (bundled libwebp, no speed settings)";
    public byte[]? Encode(IntPtr rgba, int width, int height, int rowBytes, int quality)
    {
        using var pixmap = new SKPixmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), rgba, rowBytes);
        using var data = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, quality));
        return data?.ToArray();
    }
}

/// <summary>libjpeg-turbo through its TurboJPEG API: 4:2:0, one handle per concurrent caller.</summary>
internal sealed unsafe class TurboJpegEncoder : IImageEncoder
{
    private const int PixelFormatRgbx = 2; // TJPF_RGBX: the opaque surface's alpha byte is skipped
    private const int Subsampling420 = 2;  // TJSAMP_420

    private readonly delegate* unmanaged<IntPtr> _init;
    private readonly delegate* unmanaged<IntPtr, byte*, int, int, int, int, byte**, CULong*, int, int, int, int> _compress;
    private readonly delegate* unmanaged<byte*, void> _free;
    private readonly int _flags;
    // Handles are not thread-safe but are reusable; a pool keeps one per concurrent render, never one per render.
    private readonly ConcurrentBag<IntPtr> _handles = [];

    private TurboJpegEncoder(IntPtr library, int flags)
    {
        _init = (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(library, "tjInitCompress");
        _compress = (delegate* unmanaged<IntPtr, byte*, int, int, int, int, byte**, CULong*, int, int, int, int>)NativeLibrary.GetExport(library, "tjCompress2");
        _free = (delegate* unmanaged<byte*, void>)NativeLibrary.GetExport(library, "tjFree");
        _flags = flags;
    }

    public string Name => (_flags & AccurateDct) != 0 ? "libjpeg-turbo (TurboJPEG, accurate DCT)" : "libjpeg-turbo (TurboJPEG, fast DCT)";

    /// <summary>
    /// TJFLAG_ACCURATEDCT: TurboJPEG compresses with the fast integer DCT unless told otherwise; Skia uses the accurate
    /// one. The benchmark measures both (flags 0 is the fast one).
    /// </summary>
    internal const int AccurateDct = 4096;

    internal static TurboJpegEncoder? TryCreate(IEnumerable<string> candidates, int flags = AccurateDct)
    {
        var library = ImageEncoders.TryLoad(candidates);
        if (library == IntPtr.Zero) return null;
        try { return new TurboJpegEncoder(library, flags); }
        catch (EntryPointNotFoundException) { return null; }
    }

    public byte[]? Encode(IntPtr rgba, int width, int height, int rowBytes, int quality)
    {
        if (!_handles.TryTake(out var handle))
        {
            handle = _init();
            if (handle == IntPtr.Zero) return null;
        }
        byte* jpeg = null;
        CULong size = default;
        try
        {
            // A failure becomes the render's "could not encode" error, not an exception.
            if (_compress(handle, (byte*)rgba, width, rowBytes, height, PixelFormatRgbx, &jpeg, &size, Subsampling420, quality, _flags) != 0)
                return null;
            return new ReadOnlySpan<byte>(jpeg, checked((int)size.Value)).ToArray();
        }
        finally
        {
            if (jpeg != null) _free(jpeg);
            _handles.Add(handle);
        }
    }
}

/// <summary>
/// The system libwebp through its advanced API: lossy at the template's quality with a faster method than Skia's
/// default and no worker thread (a render holds one core). Struct layouts follow libwebp 1.2.4's encode.h (encoder
/// ABI 0x020f); libwebp refuses an incompatible major version at config init, and then Skia's encoder is used.
/// </summary>
internal sealed unsafe class LibWebpEncoder : IImageEncoder
{
    private const int EncoderAbiVersion = 0x020f;

    [StructLayout(LayoutKind.Sequential)]
    private struct WebPConfig
    {
        public int Lossless;
        public float Quality;
        public int Method;
        private fixed int _middle[18]; // image_hint … emulate_jpeg_size
        public int ThreadLevel;
        private fixed int _tail[7];    // low_memory … qmax
    }

    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct WebPPicture
    {
        [FieldOffset(0)] public int UseArgb;
        [FieldOffset(8)] public int Width;
        [FieldOffset(12)] public int Height;
        [FieldOffset(96)] public IntPtr Writer;
        [FieldOffset(104)] public IntPtr CustomPtr;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WebPMemoryWriter
    {
        public byte* Mem;
        public nuint Size;
        public nuint MaxSize;
        private fixed uint _pad[1];
    }

    private readonly delegate* unmanaged<WebPConfig*, int, float, int, int> _configInit;
    private readonly delegate* unmanaged<WebPPicture*, int, int> _pictureInit;
    private readonly delegate* unmanaged<WebPPicture*, byte*, int, int> _importRgbx;
    private readonly delegate* unmanaged<WebPMemoryWriter*, void> _writerInit;
    private readonly delegate* unmanaged<WebPMemoryWriter*, void> _writerClear;
    private readonly delegate* unmanaged<WebPConfig*, WebPPicture*, int> _encode;
    private readonly delegate* unmanaged<WebPPicture*, void> _pictureFree;
    private readonly IntPtr _memoryWrite;
    private readonly int _method;

    /// <summary>libwebp's method (0 fastest … 6 smallest); Skia's encoder uses libwebp's default, 4.</summary>
    internal const int DefaultMethod = 2;

    private LibWebpEncoder(IntPtr library, int method)
    {
        _configInit = (delegate* unmanaged<WebPConfig*, int, float, int, int>)NativeLibrary.GetExport(library, "WebPConfigInitInternal");
        _pictureInit = (delegate* unmanaged<WebPPicture*, int, int>)NativeLibrary.GetExport(library, "WebPPictureInitInternal");
        _importRgbx = (delegate* unmanaged<WebPPicture*, byte*, int, int>)NativeLibrary.GetExport(library, "WebPPictureImportRGBX");
        _writerInit = (delegate* unmanaged<WebPMemoryWriter*, void>)NativeLibrary.GetExport(library, "WebPMemoryWriterInit");
        _writerClear = (delegate* unmanaged<WebPMemoryWriter*, void>)NativeLibrary.GetExport(library, "WebPMemoryWriterClear");
        _encode = (delegate* unmanaged<WebPConfig*, WebPPicture*, int>)NativeLibrary.GetExport(library, "WebPEncode");
        _pictureFree = (delegate* unmanaged<WebPPicture*, void>)NativeLibrary.GetExport(library, "WebPPictureFree");
        _memoryWrite = NativeLibrary.GetExport(library, "WebPMemoryWrite");
        _method = method;
    }

    public string Name => $"libwebp (system, method {_method}, one thread)";

    internal static LibWebpEncoder? TryCreate(IEnumerable<string> candidates, int method = DefaultMethod)
    {
        // The explicit layouts below are the 64-bit ones.
        if (IntPtr.Size != 8) return null;
        var library = ImageEncoders.TryLoad(candidates);
        if (library == IntPtr.Zero) return null;
        try
        {
            var encoder = new LibWebpEncoder(library, method);
            WebPConfig probe;
            return encoder._configInit(&probe, 0, 75f, EncoderAbiVersion) != 0 ? encoder : null;
        }
        catch (EntryPointNotFoundException) { return null; }
    }

    public byte[]? Encode(IntPtr rgba, int width, int height, int rowBytes, int quality)
    {
        WebPConfig config;
        WebPPicture picture;
        WebPMemoryWriter writer;
        if (_configInit(&config, 0 /* WEBP_PRESET_DEFAULT */, quality, EncoderAbiVersion) == 0) return null;
        config.Method = _method;
        config.ThreadLevel = 0;
        if (_pictureInit(&picture, EncoderAbiVersion) == 0) return null;
        picture.Width = width;
        picture.Height = height;
        _writerInit(&writer);
        try
        {
            if (_importRgbx(&picture, (byte*)rgba, rowBytes) == 0) return null;
            picture.Writer = _memoryWrite;
            picture.CustomPtr = (IntPtr)(&writer);
            if (_encode(&config, &picture) == 0) return null;
            return new ReadOnlySpan<byte>(writer.Mem, checked((int)writer.Size)).ToArray();
        }
        finally
        {
            _pictureFree(&picture);
            _writerClear(&writer);
        }
    }
}
