namespace Provenance.Grains.Prompts;

/// <summary>
/// Stored state of a prompt family (state name <see cref="StorageNames.PromptFamilyState"/>): the index of its versions.
/// </summary>
/// <remarks>
/// Before docs/adr/0011 the family held every version in <see cref="Versions"/> (the "old shape"). An activation that
/// finds any there copies each into its version grain, adds it to <see cref="Index"/>, and only then clears the list.
/// </remarks>
public sealed class PromptFamilyState
{
    public string Tenant { get; set; } = "";
    public string FamilyId { get; set; } = "";

    /// <summary>Versions that exist, normalised (MAJOR.MINOR.PATCH), in creation order.</summary>
    public List<string> Index { get; set; } = [];

    /// <summary>
    /// Versions whose creation was started and not yet confirmed: recorded before the version grain is written, so a
    /// version never exists unknown to its family. Settled by asking the version grain (listed if it exists, dropped if not).
    /// </summary>
    public List<string> Pending { get; set; } = [];

    /// <summary>Old shape only: whole versions not yet moved into version grains. Empty once migrated.</summary>
    public List<PromptVersionState> Versions { get; set; } = [];
}
