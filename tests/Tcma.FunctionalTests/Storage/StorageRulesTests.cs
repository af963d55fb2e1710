using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Tcma.FunctionalTests.Workflows;
using Tcma.Storage;

namespace Tcma.FunctionalTests.Storage;

/// <summary>The storage rules on real Azurite: ETag races, Azure's batch limits, idempotency rows, payload blobs.</summary>
public sealed class StorageRulesTests
{
    [Fact]
    public async Task Two_writers_racing_on_one_row_both_land_because_the_loser_rereads_on_412()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var table = await h.Storage.TableAsync("Counters");
        await table.AddEntityAsync(new TableEntity("fund", "balance") { ["Updates"] = "start" });
        var aHasRead = new ManualResetEventSlim();
        var bHasWritten = new ManualResetEventSlim();
        var aDecisions = 0;

        var a = Task.Run(() => table.UpdateAsync<TableEntity>("fund", "balance", row =>
        {
            if (++aDecisions == 1)
            {
                aHasRead.Set();
                bHasWritten.Wait(TimeSpan.FromSeconds(30)); // B commits between A's read and A's write
            }
            return Append(row, "A");
        }));
        aHasRead.Wait(TimeSpan.FromSeconds(30));
        var b = await Task.Run(() => table.UpdateAsync<TableEntity>("fund", "balance", row => Append(row, "B")));
        bHasWritten.Set();
        var aResult = await a;

        Assert.Equal(1, b.Attempts);
        Assert.Equal(2, aResult.Attempts); // the first write met a 412 and A decided again on B's row
        var stored = (await table.GetEntityAsync<TableEntity>("fund", "balance")).Value;
        Assert.Equal("start,B,A", stored.GetString("Updates"));
    }

    [Fact]
    public async Task Many_concurrent_increments_lose_none()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var table = await h.Storage.TableAsync("Counters");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
                await table.UpdateAsync<TableEntity>("fund", "count", row =>
                    new TableEntity("fund", "count") { ["Count"] = (row?.GetInt32("Count") ?? 0) + 1 }, maxAttempts: 100);
        })));

        Assert.Equal(40, (await table.GetEntityAsync<TableEntity>("fund", "count")).Value.GetInt32("Count"));
    }

    [Fact]
    public async Task A_decision_to_leave_the_row_writes_nothing()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var table = await h.Storage.TableAsync("Counters");
        var result = await table.UpdateAsync<TableEntity>("fund", "none", _ => null);
        Assert.False(result.Written);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("fund", "none")).HasValue);
    }

    [Fact]
    public async Task A_batch_across_two_partitions_is_refused_before_reaching_the_service()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var table = await h.Storage.TableAsync("Ledger");
        var batch = new TableBatch().Add(new TableEntity("fund-1", "a"));

        var refused = Assert.Throws<TableBatchRuleException>(() => batch.Add(new TableEntity("fund-2", "b")));

        Assert.Equal(TableBatchRule.OnePartition, refused.Rule);
        await batch.SubmitAsync(table); // what was accepted still commits, alone
        Assert.Single(table.Query<TableEntity>().ToList());
    }

    [Fact]
    public async Task A_batch_of_100_commits_and_the_101st_entity_is_refused()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var table = await h.Storage.TableAsync("Ledger");
        var batch = new TableBatch();
        for (var i = 0; i < 100; i++) batch.Add(new TableEntity("fund-1", $"e{i:D3}") { ["Amount"] = 10.0 });

        var refused = Assert.Throws<TableBatchRuleException>(() => batch.Add(new TableEntity("fund-1", "e100")));
        await batch.SubmitAsync(table);

        Assert.Equal(TableBatchRule.AtMost100Entities, refused.Rule);
        Assert.Equal(100, table.Query<TableEntity>(e => e.PartitionKey == "fund-1").Count());
    }

    [Fact]
    public async Task A_batch_over_4_MiB_is_refused_and_nothing_is_written()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var table = await h.Storage.TableAsync("Ledger");
        var batch = new TableBatch();

        var refused = Assert.Throws<TableBatchRuleException>(() =>
        {
            for (var i = 0; i < 20; i++) batch.Add(Big("fund-1", $"e{i}", properties: 15));
        });

        Assert.Equal(TableBatchRule.PayloadUnder4MiB, refused.Rule);
        Assert.InRange(batch.Count, 7, 9);
        Assert.Empty(table.Query<TableEntity>().ToList());
    }

    [Fact]
    public void Entity_and_property_limits_are_refused_with_the_rule_named()
    {
        Assert.Equal(TableBatchRule.EntityUnder1MiB, Assert.Throws<TableBatchRuleException>(() => new TableBatch().Add(Big("p", "r", properties: 17))).Rule);
        Assert.Equal(TableBatchRule.PropertyValueSize, Assert.Throws<TableBatchRuleException>(() =>
            new TableBatch().Add(new TableEntity("p", "r") { ["Text"] = new string('x', 32_769) })).Rule);
        Assert.Equal(TableBatchRule.KeyFormat, Assert.Throws<TableBatchRuleException>(() => new TableBatch().Add(new TableEntity("p", "a/b"))).Rule);
        Assert.Equal(TableBatchRule.OneActionPerEntity, Assert.Throws<TableBatchRuleException>(() =>
            new TableBatch().Add(new TableEntity("p", "r")).Add(new TableEntity("p", "r"))).Rule);
        var tooMany = new TableEntity("p", "r");
        for (var i = 0; i < 253; i++) tooMany[$"P{i}"] = i;
        Assert.Equal(TableBatchRule.PropertyCount, Assert.Throws<TableBatchRuleException>(() => new TableBatch().Add(tooMany)).Rule);
    }

    [Fact]
    public async Task A_duplicate_idempotency_key_reports_already_done()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var store = h.Services.GetRequiredService<IdempotencyStore>();
        var oddKey = "msg/with?odd#chars " + new string('k', 600);

        Assert.True(await store.TryBeginAsync("lead-routing", "message-1"));
        Assert.False(await store.TryBeginAsync("lead-routing", "message-1"));
        Assert.True(await store.TryBeginAsync("lead-routing", "message-2"));
        Assert.True(await store.TryBeginAsync("claims", "message-1"));
        Assert.True(await store.TryBeginAsync("lead-routing", oddKey));
        Assert.False(await store.TryBeginAsync("lead-routing", oddKey));

        await store.ForgetAsync("lead-routing", "message-1");
        Assert.True(await store.TryBeginAsync("lead-routing", "message-1"));
    }

    [Fact]
    public async Task Payloads_are_content_addressed_and_read_back_by_reference()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var store = h.Services.GetRequiredService<PayloadStore>();
        var bytes = new byte[200_000];
        Random.Shared.NextBytes(bytes);

        var first = await store.PutAsync(bytes);
        var again = await store.PutAsync(bytes);
        var back = await store.GetAsync(PayloadReference.Parse(first.ToString()));

        Assert.Equal(first, again);
        Assert.Equal(bytes, back);
        await Assert.ThrowsAsync<PayloadNotFoundException>(() => store.GetAsync(new PayloadReference("payloads", "sha256/none")));
        Assert.Throws<FormatException>(() => PayloadReference.Parse("payloads/../secrets"));
    }

    [Fact]
    public async Task Tables_queues_and_containers_are_created_once_per_process_not_per_call()
    {
        var azurite = await Infrastructure.LocalServices.Azurite();
        var counter = new RequestCounter();
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var queueOptions = StorageAccount.QueueOptions();
        queueOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var blobOptions = new BlobClientOptions();
        blobOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var storage = new StorageAccount(new TableServiceClient(azurite.ConnectionString, tableOptions), new BlobServiceClient(azurite.ConnectionString, blobOptions),
            new QueueServiceClient(azurite.ConnectionString, queueOptions), new StorageNames("s" + Guid.NewGuid().ToString("N")[..12]));

        var tables = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => storage.TableAsync("Ledger")));
        var queues = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => storage.QueueAsync("lead-routing")));
        for (var i = 0; i < 5; i++) await storage.ContainerAsync("kits");

        Assert.Equal(3, counter.Count); // one create each
        await tables[0].AddEntityAsync(new TableEntity("p", "r"));
        await queues[0].SendMessageAsync("{}");
        Assert.True((await storage.Container("kits").ExistsAsync()).Value);
    }

    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int count;
        public int Count => count;
        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref count);
    }

    private static TableEntity? Append(TableEntity? row, string who)
    {
        var updates = row?.GetString("Updates");
        return new TableEntity("fund", "balance") { ["Updates"] = string.IsNullOrEmpty(updates) ? who : $"{updates},{who}" };
    }

    /// <summary>An entity of <paramref name="properties"/> strings of 32,000 characters: about 64 KB each by Azure's count.</summary>
    private static TableEntity Big(string pk, string rk, int properties)
    {
        var entity = new TableEntity(pk, rk);
        for (var i = 0; i < properties; i++) entity[$"Part{i}"] = new string((char)('a' + i), 32_000);
        return entity;
    }
}
