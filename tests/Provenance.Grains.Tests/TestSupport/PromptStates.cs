using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using Provenance.Grains.Prompts;
using Provenance.LoadGen;

namespace Provenance.Grains.Tests.TestSupport;

/// <summary>Prompt grain state written and read through the metadata grain storage, as a deployment holds it.</summary>
internal static class PromptStates
{
    /// <summary>The family state as it was stored before version grains (docs/adr/0011): every version inside.</summary>
    public sealed class OldShapeFamilyState
    {
        public string Tenant { get; set; } = "";
        public string FamilyId { get; set; } = "";
        public List<PromptVersionState> Versions { get; set; } = [];
    }

    /// <summary>Writes <paramref name="state"/> as the family state of <c>{tenant}/{familyId}</c> (no activation may hold it).</summary>
    public static Task WriteFamilyAsync<T>(ClusterHost node, string tenant, string familyId, T state) =>
        Storage(node).WriteStateAsync(StorageNames.PromptFamilyState, GrainId.Create(StorageNames.PromptGrainType, PromptKeys.For(tenant, familyId)), new GrainState<T>(state));

    /// <summary>Writes the state of one version grain (no activation may hold it).</summary>
    public static Task WriteVersionAsync(ClusterHost node, string tenant, string familyId, PromptVersionState state) =>
        Storage(node).WriteStateAsync(StorageNames.PromptVersionState,
            GrainId.Create(StorageNames.PromptVersionGrainType, PromptKeys.ForVersion(tenant, familyId, state.Version)), new GrainState<PromptVersionState>(state));

    /// <summary>The stored family state.</summary>
    public static async Task<PromptFamilyState> ReadFamilyAsync(ClusterHost node, string tenant, string familyId)
    {
        var state = new GrainState<PromptFamilyState>(new PromptFamilyState());
        await Storage(node).ReadStateAsync(StorageNames.PromptFamilyState, GrainId.Create(StorageNames.PromptGrainType, PromptKeys.For(tenant, familyId)), state);
        return state.State ?? new PromptFamilyState();
    }

    /// <summary>The stored JSON of the grain with string key <paramref name="key"/>, or null when none.</summary>
    public static async Task<JsonDocument?> PayloadAsync(ClusterFixture fixture, string key)
    {
        await using var command = fixture.Database.DataSource.CreateCommand(
            "SELECT convert_from(payload, 'UTF8') FROM orleans_grain_state WHERE grain_id_extension = $1 AND payload IS NOT NULL");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = key });
        return await command.ExecuteScalarAsync() is string json ? JsonDocument.Parse(json) : null;
    }

    private static IGrainStorage Storage(ClusterHost node) => node.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.MetadataStorage);
}
