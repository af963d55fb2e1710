using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tcma.FunctionalTests.Infrastructure;

/// <summary>
/// One Azurite (in memory) and one maildev per test assembly, on free ports, started on first use and
/// stopped when the test process exits. Tests isolate themselves by unique table/queue/container names
/// (see <see cref="TcmaAppFactory"/>) and unique recipient addresses, so classes run in parallel.
/// </summary>
public static class LocalServices
{
    private static readonly Lazy<Task<AzuriteInstance>> LazyAzurite = new(AzuriteInstance.StartAsync);
    private static readonly Lazy<Task<MailDevInstance>> LazyMailDev = new(MailDevInstance.StartAsync);

    public static Task<AzuriteInstance> Azurite() => LazyAzurite.Value;
    public static Task<MailDevInstance> MailDev() => LazyMailDev.Value;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static Process StartNode(string tool, string arguments)
    {
        var path = RepoPaths.NodeBin(tool);
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} is missing: run 'npm ci' at the repository root (./tcma test does it for you).");
        // A watchdog shell stops the tool when this test process dies without running its exit handlers (a crash,
        // a kill), so no Azurite or maildev outlives the run that started it.
        var watchdog = $"\"{path}\" {arguments} & tool=$!; " +
                       $"while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 $tool 2>/dev/null; do sleep 1; done; kill $tool 2>/dev/null; wait $tool";
        var process = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", watchdog])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        }) ?? throw new InvalidOperationException($"could not start {tool}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { process.Kill(entireProcessTree: true); } catch { } };
        return process;
    }

    internal static async Task WaitForPortAsync(int port, Process process, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"{what} exited with code {process.ExitCode} before listening on {port}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"{what} did not listen on port {port} within 60 s");
    }
}

public sealed class AzuriteInstance
{
    private AzuriteInstance(int blobPort, int queuePort, int tablePort)
    {
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    internal static async Task<AzuriteInstance> StartAsync()
    {
        var (blob, queue, table) = (LocalServices.FreePort(), LocalServices.FreePort(), LocalServices.FreePort());
        var process = LocalServices.StartNode("azurite",
            $"--silent --inMemoryPersistence --skipApiVersionCheck --disableProductStyleUrl " +
            $"--blobHost 127.0.0.1 --blobPort {blob} --queueHost 127.0.0.1 --queuePort {queue} --tableHost 127.0.0.1 --tablePort {table}");
        await LocalServices.WaitForPortAsync(blob, process, "Azurite");
        await LocalServices.WaitForPortAsync(queue, process, "Azurite");
        await LocalServices.WaitForPortAsync(table, process, "Azurite");
        return new AzuriteInstance(blob, queue, table);
    }
}

public sealed class MailDevInstance
{
    private MailDevInstance(int smtpPort, int webPort)
    {
        SmtpPort = smtpPort;
        WebPort = webPort;
        Inbox = new MailDevInbox(new Uri($"http://127.0.0.1:{webPort}/"));
    }

    public int SmtpPort { get; }
    public int WebPort { get; }
    public MailDevInbox Inbox { get; }

    internal static async Task<MailDevInstance> StartAsync()
    {
        var (smtp, web) = (LocalServices.FreePort(), LocalServices.FreePort());
        var process = LocalServices.StartNode("maildev", $"--smtp {smtp} --web {web} --ip 127.0.0.1 --silent");
        await LocalServices.WaitForPortAsync(smtp, process, "maildev SMTP");
        await LocalServices.WaitForPortAsync(web, process, "maildev web");
        return new MailDevInstance(smtp, web);
    }
}
