using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Mdf;

namespace Tcma.Storage.Mdf;

/// <summary>A program as stored, with the ETag to send back as If-Match to change exactly what was read.</summary>
public sealed record StoredProgram(MdfProgram Program, string ETag, DateTimeOffset UpdatedAt, string UpdatedBy);

public enum ProgramSaveKind { Created, Updated, PreconditionFailed }

/// <summary>
/// MDF programs, one partition per vendor. A program is read whole and replaced whole under its ETag; requests keep
/// their own copy, so an edit here never changes the rules of a request in flight.
/// </summary>
public sealed class MdfProgramStore(StorageAccount storage)
{
    public const string TableName = "MdfPrograms";

    public async Task<StoredProgram?> GetAsync(string vendorId, string programId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), TableKeys.Check(programId, "program id"), cancellationToken: ct);
        return row.HasValue ? Read(row.Value!) : null;
    }

    public async Task<IReadOnlyList<StoredProgram>> ListAsync(string vendorId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var list = new List<StoredProgram>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {vendorId}"), cancellationToken: ct))
            list.Add(Read(row));
        return list;
    }

    /// <summary>Stores a new program, never replacing one: two admins creating the same id at once get one program and one PreconditionFailed.</summary>
    public async Task<(ProgramSaveKind Kind, StoredProgram? Stored)> CreateAsync(string vendorId, MdfProgram program, string by, DateTimeOffset now, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        return await table.TryWriteAsync(ToEntity(vendorId, program, by, now), default, ct) is { } etag
            ? (ProgramSaveKind.Created, new StoredProgram(program, etag.ToString(), now, by))
            : (ProgramSaveKind.PreconditionFailed, await GetAsync(vendorId, program.Id, ct));
    }

    /// <summary>Creates or replaces; with <paramref name="ifMatch"/> only the version read is replaced.</summary>
    public async Task<(ProgramSaveKind Kind, StoredProgram? Stored)> SaveAsync(string vendorId, MdfProgram program, string by, DateTimeOffset now, string? ifMatch, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var entity = ToEntity(vendorId, program, by, now);
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: ct);
        if (!existing.HasValue && ifMatch is not null) return (ProgramSaveKind.PreconditionFailed, null);
        var etag = !existing.HasValue ? default : ifMatch is null ? existing.Value!.ETag : new ETag(ifMatch);
        return await table.TryWriteAsync(entity, etag, ct) is { } written
            ? (existing.HasValue ? ProgramSaveKind.Updated : ProgramSaveKind.Created, new StoredProgram(program, written.ToString(), now, by))
            : (ProgramSaveKind.PreconditionFailed, await GetAsync(vendorId, program.Id, ct));
    }

    private static TableEntity ToEntity(string vendorId, MdfProgram program, string by, DateTimeOffset now) =>
        new(TableKeys.Check(vendorId, "vendor id"), TableKeys.Check(program.Id, "program id"))
        {
            ["Program"] = MdfJson.Write(program),
            ["UpdatedAt"] = now,
            ["UpdatedBy"] = by,
        };

    private static StoredProgram Read(TableEntity row) =>
        new(MdfJson.Read<MdfProgram>(row.GetString("Program")), row.ETag.ToString(), row.GetDateTimeOffset("UpdatedAt") ?? default, row.GetString("UpdatedBy") ?? "");
}
