namespace Provenance.Storage.Postgres.Schema;

/// <summary>
/// Every storage name used by the provider: tables, notification channels and advisory-lock keys, in one place.
/// The migration scripts (<c>Schema/Migrations/*.sql</c>) create the same names.
/// </summary>
internal static class SchemaNames
{
    public const string Migrations = "schema_migrations";
    public const string GrainState = "grain_state";
    public const string LogEntries = "log_entries";
    public const string LogSequence = "log_sequence";
    public const string TreeNodes = "tree_nodes";
    public const string LogHead = "log_head";
    public const string Outbox = "outbox";
    public const string OutboxCheckpoints = "outbox_checkpoints";
    public const string GrainIndex = "grain_index";
    public const string Reminders = "reminders";

    /// <summary>Orleans ADO.NET providers' tables (migration 020); <c>OrleansQuery</c> is unquoted there, so lower case here.</summary>
    public const string OrleansQuery = "orleansquery";
    public const string OrleansMembershipVersion = "orleans_membership_version";
    public const string OrleansMembership = "orleans_membership";
    public const string OrleansReminders = "orleans_reminders";
    public const string OrleansGrainState = "orleans_grain_state";

    /// <summary>NOTIFY channel: a grain state was written or cleared; payload <c>node\ttype\tkey\tstate</c>.</summary>
    public const string StateChannel = "provenance_state";

    /// <summary>NOTIFY channel: events were committed to the outbox; payload is the stream name.</summary>
    public const string OutboxChannel = "provenance_outbox";

    /// <summary>First key of every two-key advisory lock taken by the provider (so they cannot collide with others').</summary>
    public const int LockNamespace = 0x50524F56; // "PROV"

    /// <summary>Second keys of the provider's own advisory locks.</summary>
    public static class LockKeys
    {
        public const int Migrations = 1;
        public const int OutboxSequencer = 2;
        public const int IndexSequencer = 3;
        public const int LogSequencer = 4;
    }
}
