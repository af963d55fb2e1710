using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Infra;

/// <summary>
/// Compiles infra/main.bicep with the real Bicep CLI (from its NuGet package) and checks, in the ARM
/// template Azure would receive, what a security reviewer checks: no keys, least-privilege roles on the
/// user-assigned identity, the Flex Consumption custom-handler shape.
/// </summary>
public sealed class BicepTests
{
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    private static readonly string MainBicep = Path.Combine(RepoPaths.Root, "infra", "main.bicep");
    private static readonly Lazy<Task<JsonObject>> Template = new(async () =>
    {
        var build = await BicepAsync("build", MainBicep, "--stdout");
        return JsonNode.Parse(build.StdOut)!.AsObject();
    });

    [Fact]
    public async Task Main_template_builds_without_errors_or_warnings()
    {
        var build = await BicepAsync("build", MainBicep, "--stdout");
        Assert.True(build.ExitCode == 0, build.StdErr);
        Assert.True(build.StdErr.Trim().Length == 0, "bicep build reported:\n" + build.StdErr);
        Assert.StartsWith("{", build.StdOut.TrimStart());
    }

    [Fact]
    public async Task Main_template_passes_the_linter()
    {
        var lint = await BicepAsync("lint", MainBicep);
        Assert.True(lint.ExitCode == 0, lint.StdErr + lint.StdOut);
        Assert.True((lint.StdErr + lint.StdOut).Trim().Length == 0, "bicep lint reported:\n" + lint.StdErr + lint.StdOut);
    }

    [Fact]
    public async Task Example_parameters_build_and_take_secrets_only_from_the_environment()
    {
        var file = Path.Combine(RepoPaths.Root, "infra", "main.bicepparam");
        var withSecrets = await BicepAsync(["build-params", file, "--stdout"],
            new() { ["TCMA_TOKEN_SIGNING_KEY"] = "test-signing-key", ["TCMA_SOCIAL_TOKEN_KEY"] = "test-social-key", ["TCMA_SMTP_PASSWORD"] = "test-smtp-password" });
        Assert.True(withSecrets.ExitCode == 0, withSecrets.StdErr);
        Assert.True(withSecrets.StdErr.Trim().Length == 0, "bicep build-params reported:\n" + withSecrets.StdErr);

        var withoutSecrets = await BicepAsync(["build-params", file, "--stdout"],
            new() { ["TCMA_TOKEN_SIGNING_KEY"] = null, ["TCMA_SOCIAL_TOKEN_KEY"] = null, ["TCMA_SMTP_PASSWORD"] = null });
        Assert.NotEqual(0, withoutSecrets.ExitCode);
        Assert.Contains("TCMA_TOKEN_SIGNING_KEY", withoutSecrets.StdErr);
    }

    [Fact]
    public async Task No_account_key_or_connection_string_reaches_the_app()
    {
        var template = await Template.Value;
        var text = template.ToJsonString();
        Assert.DoesNotContain("listKeys", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SharedAccessSignature", text, StringComparison.OrdinalIgnoreCase);

        var settings = AppSettings(template);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys); // a connection string would carry a key
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(Single(template, "Microsoft.Storage/storageAccounts")["name"]!.GetValue<string>(), settings["AzureWebJobsStorage__accountName"]);
        Assert.Contains("userAssignedIdentities", settings["AzureWebJobsStorage__clientId"]);
        Assert.EndsWith(".clientId]", settings["AzureWebJobsStorage__clientId"]);
        Assert.Contains("ConnectionString", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);

        // Secrets are Key Vault references, never the parameter values themselves.
        foreach (var name in new[] { "Email__Password", "Tokens__Keys__primary", "Syndication__TokenKeys__primary" })
        {
            Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})'", settings[name]);
            Assert.Contains("Microsoft.KeyVault/vaults/secrets", settings[name]);
        }
        Assert.DoesNotContain(settings.Values, v => v.Contains("parameters('tokenSigningKey')") || v.Contains("parameters('socialTokenKey')") || v.Contains("parameters('smtpPassword')"));
        // The app signs links with the key its configuration names (see functions/Identity/LinkTokens.cs).
        Assert.Equal("primary", settings["Tokens__ActiveKey"]);
        Assert.Equal("false", settings["LocalTriggerHost__Enabled"]);
    }

    [Fact]
    public async Task Storage_account_refuses_keys_public_blobs_and_old_tls()
    {
        var storage = Single(await Template.Value, "Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.False(storage["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(storage["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.True(storage["supportsHttpsTrafficOnly"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", storage["minimumTlsVersion"]!.GetValue<string>());
        Assert.Equal("StorageV2", Single(await Template.Value, "Microsoft.Storage/storageAccounts")["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_user_assigned_identity_gets_exactly_the_three_storage_data_roles_on_the_account()
    {
        var template = await Template.Value;
        var onStorage = Resources(template, "Microsoft.Authorization/roleAssignments")
            .Where(r => r["scope"]!.GetValue<string>().Contains("Microsoft.Storage/storageAccounts"))
            .ToList();
        var roles = onStorage.Select(r => RoleGuid(r)).OrderBy(g => g).ToList();
        Assert.Equal(new[] { BlobDataContributor, QueueDataContributor, TableDataContributor }.OrderBy(g => g), roles);
        foreach (var assignment in onStorage)
        {
            var principal = assignment["properties"]!["principalId"]!.GetValue<string>();
            Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", principal);
            Assert.EndsWith(".principalId]", principal);
            Assert.Equal("ServicePrincipal", assignment["properties"]!["principalType"]!.GetValue<string>());
        }

        var onVault = Resources(template, "Microsoft.Authorization/roleAssignments")
            .Where(r => r["scope"]!.GetValue<string>().Contains("Microsoft.KeyVault/vaults")).ToList();
        Assert.Equal(KeyVaultSecretsUser, RoleGuid(Assert.Single(onVault)));
        // No role anywhere grants the management plane (Owner, Contributor, Storage Account Contributor).
        Assert.DoesNotContain(Resources(template, "Microsoft.Authorization/roleAssignments").Select(RoleGuid),
            g => g is "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" or "b24988ac-6180-42a0-ab88-20f7382dd24c" or "17d1049b-9a84-46fb-8f53-869881c3d3ab");
    }

    [Fact]
    public async Task Function_app_runs_the_custom_handler_on_Flex_Consumption_over_https_only()
    {
        var template = await Template.Value;
        var plan = Single(template, "Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan["sku"]!["name"]!.GetValue<string>());
        Assert.Equal("FlexConsumption", plan["sku"]!["tier"]!.GetValue<string>());
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>()); // Linux

        var site = Single(template, "Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", site["kind"]!.GetValue<string>());
        var properties = site["properties"]!;
        Assert.True(properties["httpsOnly"]!.GetValue<bool>());
        Assert.Equal("custom", properties["functionAppConfig"]!["runtime"]!["name"]!.GetValue<string>());
        // Flex Consumption rejects the setting; the runtime above is where "custom" is declared.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", AppSettings(template).Keys);

        var deployment = properties["functionAppConfig"]!["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", deployment["type"]!.GetValue<string>());
        Assert.Equal("UserAssignedIdentity", deployment["authentication"]!["type"]!.GetValue<string>());
        Assert.Equal("UserAssigned", site["identity"]!["type"]!.GetValue<string>());
        Assert.Contains("userAssignedIdentities", properties["keyVaultReferenceIdentity"]!.GetValue<string>());

        var auth = Resources(template, "Microsoft.Web/sites/config").Single(r => r["name"]!.GetValue<string>().Contains("authsettingsV2"));
        Assert.Equal("AllowAnonymous", auth["properties"]!["globalValidation"]!["unauthenticatedClientAction"]!.GetValue<string>());
        Assert.False(auth["properties"]!["globalValidation"]!["requireAuthentication"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Key_vault_uses_rbac_soft_delete_and_purge_protection()
    {
        var vault = Single(await Template.Value, "Microsoft.KeyVault/vaults")["properties"]!;
        Assert.True(vault["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.True(vault["enableSoftDelete"]!.GetValue<bool>());
        Assert.True(vault["enablePurgeProtection"]!.GetValue<bool>());
        var secrets = Resources(await Template.Value, "Microsoft.KeyVault/vaults/secrets").Select(r => r["name"]!.GetValue<string>()).ToList();
        Assert.Contains(secrets, n => n.Contains("'token-signing-key'"));
        Assert.Contains(secrets, n => n.Contains("'smtp-password'"));
    }

    [Fact]
    public async Task Storage_resources_the_app_needs_are_declared_with_their_poison_queues()
    {
        var template = await Template.Value;
        string[] Default(string parameter) => template["parameters"]![parameter]!["defaultValue"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        Assert.Equal(Tcma.Functions.Operations.StorageResources.Tables, Default("tables"));
        Assert.Equal(Tcma.Functions.Operations.StorageResources.Queues, Default("queues"));
        Assert.Equal(Tcma.Functions.Operations.StorageResources.Containers, Default("containers"));
        Assert.Contains("-poison", template["variables"]!["allQueues"]!.GetValue<string>());

        var outputs = template["outputs"]!.AsObject();
        foreach (var name in new[] { "functionAppHostName", "storageAccountName", "identityClientId" })
            Assert.True(outputs.ContainsKey(name), $"missing output {name}");
    }

    private static string RoleGuid(JsonNode assignment)
    {
        var id = assignment["properties"]!["roleDefinitionId"]!.GetValue<string>();
        var match = System.Text.RegularExpressions.Regex.Match(id, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        Assert.True(match.Success, $"role definition is not a literal GUID: {id}");
        return match.Value;
    }

    private static Dictionary<string, string> AppSettings(JsonObject template)
        => Single(template, "Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!["value"]!.GetValue<string>());

    private static JsonNode Single(JsonObject template, string type) => Assert.Single(Resources(template, type));

    private static IEnumerable<JsonNode> Resources(JsonObject template, string type)
    {
        // Bicep emits an array, or an object keyed by symbolic name when it needs language version 2.0.
        IEnumerable<JsonNode?> all = template["resources"] switch
        {
            JsonArray array => array,
            JsonObject map => map.Select(p => p.Value),
            _ => [],
        };
        return all.Where(r => r?["type"]?.GetValue<string>() == type).Select(r => r!);
    }

    private sealed record BicepResult(int ExitCode, string StdOut, string StdErr);

    private static Task<BicepResult> BicepAsync(params string[] arguments) => BicepAsync(arguments, []);

    private static async Task<BicepResult> BicepAsync(string[] arguments, Dictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(BicepExecutable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // Offline and quiet: no telemetry, no update checks.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new BicepResult(process.ExitCode, await stdout, await stderr);
    }

    private static string BicepExecutable()
    {
        var root = typeof(BicepTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepPackageRoot")?.Value;
        if (string.IsNullOrEmpty(root))
            root = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
                "azure.bicep.commandline.linux-x64", "0.49.2");
        var path = Path.Combine(root, "tools", "bicep");
        Assert.True(File.Exists(path), $"bicep CLI not found at {path}: restore tests/Tcma.FunctionalTests");
        // NuGet extracts without the execute bit on some machines.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) == 0)
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        return path;
    }
}
