namespace Provenance.Storage.Postgres;

/// <summary>
/// The <c>OrleansQuery</c> keys that Orleans 10.4.2's ADO.NET providers read, by provider. Migration 020 inserts a
/// text for each and for nothing else; a test holds the table and this list equal.
/// </summary>
public static class OrleansQueryKeys
{
    /// <summary>Keys of Microsoft.Orleans.Clustering.AdoNet (silos and the clients' gateway list).</summary>
    /// <remarks>
    /// All but <c>CleanupDefunctSiloEntryKey</c> are required at start-up; that one is optional to the provider
    /// and, when present, is used instead of <c>CleanupDefunctSiloEntriesKey</c>.
    /// </remarks>
    public static IReadOnlyList<string> Clustering { get; } =
    [
        "InsertMembershipVersionKey",
        "MembershipReadAllKey",
        "MembershipReadRowKey",
        "InsertMembershipKey",
        "UpdateMembershipKey",
        "UpdateIAmAlivetimeKey",
        "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
        "CleanupDefunctSiloEntryKey",
        "GatewaysQueryKey",
    ];

    /// <summary>Keys of Microsoft.Orleans.Reminders.AdoNet, all required at start-up.</summary>
    public static IReadOnlyList<string> Reminders { get; } =
    [
        "ReadReminderRowsKey",
        "ReadReminderRowKey",
        "ReadRangeRows1Key",
        "ReadRangeRows2Key",
        "UpsertReminderRowKey",
        "DeleteReminderRowKey",
        "DeleteReminderRowsKey",
    ];

    /// <summary>Keys of Microsoft.Orleans.Persistence.AdoNet; <c>DeleteStorageKey</c> is needed only with <c>DeleteStateOnClear</c>.</summary>
    public static IReadOnlyList<string> Persistence { get; } =
    [
        "ReadFromStorageKey",
        "WriteToStorageKey",
        "ClearStorageKey",
        "DeleteStorageKey",
    ];

    /// <summary>Every key, clustering then reminders then persistence.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Clustering, .. Reminders, .. Persistence];
}
