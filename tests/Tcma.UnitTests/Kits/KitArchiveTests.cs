using System.IO.Compression;
using System.Text;
using Tcma.Domain.Kits;

namespace Tcma.UnitTests.Kits;

public sealed class KitArchiveTests
{
    private static readonly KitArchiveLimits Limits = new();

    private static MemoryStream Zip(params (string Name, byte[] Content)[] entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                s.Write(content);
            }
        }
        stream.Position = 0;
        return stream;
    }

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void A_well_formed_kit_unpacks_with_its_paths()
    {
        var (files, problems) = KitArchive.Read(Zip(("kit.json", Text("{}")), ("emails/one.html", Text("<p>hi</p>"))), Limits);
        Assert.Empty(problems);
        Assert.Equal(["emails/one.html", "kit.json"], files!.Files.Keys.Order());
        Assert.Equal("<p>hi</p>", Encoding.UTF8.GetString(files.Files["emails/one.html"]));
    }

    [Fact]
    public void A_kit_zipped_as_its_folder_is_read_from_inside_that_folder()
    {
        var (files, _) = KitArchive.Read(Zip(("my-kit/kit.json", Text("{}")), ("my-kit/images/a.png", [1, 2, 3])), Limits);
        Assert.Equal(["images/a.png", "kit.json"], files!.Files.Keys.Order());
    }

    [Fact]
    public void Bytes_that_are_not_a_zip_are_refused()
    {
        var (files, problems) = KitArchive.Read(new MemoryStream(Text("%PDF-1.7 not a zip")), Limits);
        Assert.Null(files);
        Assert.Contains("not a zip", Assert.Single(problems).Message);
    }

    [Fact]
    public void A_truncated_zip_is_refused_as_corrupted()
    {
        var whole = Zip(("kit.json", Text(new string('x', 5000)))).ToArray();
        var (files, problems) = KitArchive.Read(new MemoryStream(whole[..(whole.Length / 2)]), Limits);
        Assert.Null(files);
        Assert.Contains("corrupted", Assert.Single(problems).Message);
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("emails/../../outside.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/Windows/win.ini")]
    [InlineData("emails\\..\\..\\x.txt")]
    public void Entries_that_escape_the_kit_root_are_refused_and_named(string path)
    {
        var (files, problems) = KitArchive.Read(Zip(("kit.json", Text("{}")), (path, Text("x"))), Limits);
        Assert.Null(files);
        var problem = Assert.Single(problems);
        Assert.Equal(path, problem.File);
    }

    [Fact]
    public void Symbolic_links_are_refused()
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("kit.json").Open().Dispose();
            var link = zip.CreateEntry("secrets");
            link.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
            using var s = link.Open();
            s.Write(Text("/etc/shadow"));
        }
        stream.Position = 0;
        var (files, problems) = KitArchive.Read(stream, Limits);
        Assert.Null(files);
        Assert.Contains("links", Assert.Single(problems).Message);
    }

    [Fact]
    public void A_zip_bomb_is_refused_by_its_compression_ratio_before_it_fills_memory()
    {
        var (files, problems) = KitArchive.Read(Zip(("kit.json", Text("{}")), ("bomb.bin", new byte[20 * 1024 * 1024])), Limits);
        Assert.Null(files);
        Assert.Contains("zip bomb", Assert.Single(problems).Message);
    }

    [Fact]
    public void Total_unpacked_size_is_counted_from_the_bytes_read_not_the_headers()
    {
        var limits = Limits with { MaxUncompressedBytes = 1024 * 1024, MaxCompressionRatio = double.MaxValue };
        var random = new byte[600 * 1024];
        new Random(7).NextBytes(random);
        var (files, problems) = KitArchive.Read(Zip(("a.bin", random), ("b.bin", random)), limits);
        Assert.Null(files);
        Assert.Contains("more than 1 MiB", Assert.Single(problems).Message);
    }

    [Fact]
    public void Too_many_entries_are_refused()
    {
        var entries = Enumerable.Range(0, 12).Select(i => ($"f{i}.txt", Text("x"))).ToArray();
        var (files, problems) = KitArchive.Read(Zip(entries), Limits with { MaxEntries = 10 });
        Assert.Null(files);
        Assert.Contains("at most 10", Assert.Single(problems).Message);
    }

    [Fact]
    public void An_oversized_upload_is_refused_before_it_is_unpacked()
    {
        var (files, problems) = KitArchive.Read(new MemoryStream(new byte[2048]), Limits with { MaxCompressedBytes = 1024 });
        Assert.Null(files);
        Assert.Contains("larger than", Assert.Single(problems).Message);
    }

    [Fact]
    public void Every_bad_path_is_reported_at_once_not_only_the_first()
    {
        var (_, problems) = KitArchive.Read(Zip(("../a", Text("x")), ("/b", Text("x")), ("ok.txt", Text("x"))), Limits);
        Assert.Equal(["../a", "/b"], problems.Select(p => p.File));
    }

    [Fact]
    public void A_zip_streamed_by_dotnet_to_an_unseekable_stream_reads_with_its_data_descriptors()
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(new WriteOnly(stream), ZipArchiveMode.Create))
            foreach (var (name, content) in new[] { ("kit.json", Text("{}")), ("emails/one.html", Text(new string('x', 70_000))) })
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(content);
            }
        var written = stream.ToArray();
        Assert.NotEqual(0, written[6] & 0x08); // the first local header says "sizes follow in a data descriptor"
        var (files, problems) = KitArchive.Read(new MemoryStream(written), Limits);
        Assert.Empty(problems);
        Assert.Equal(70_000, files!.Files["emails/one.html"].Length);
    }

    [Fact]
    public void A_damaged_file_fails_its_checksum_and_is_named()
    {
        var bytes = Zip(("kit.json", Text("{}")), ("emails/one.txt", Text("hello partners"))).ToArray();
        // The CRC the zip records no longer matches the bytes: what damage in transit looks like to an unzipper.
        var central = bytes.AsSpan().LastIndexOf("PK\u0001\u0002"u8);
        bytes[central + 16] ^= 0xFF;
        var local = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("emails/one.txt")) - 30;
        bytes[local + 14] ^= 0xFF;
        var (files, problems) = KitArchive.Read(new MemoryStream(bytes), Limits);
        Assert.Null(files);
        var problem = Assert.Single(problems);
        Assert.Equal("emails/one.txt", problem.File);
        Assert.Contains("fails its checksum", problem.Message);
    }

    private sealed class WriteOnly(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
