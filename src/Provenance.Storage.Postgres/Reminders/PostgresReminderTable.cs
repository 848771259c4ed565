using Npgsql;
using Provenance.Actors.Storage;
using Provenance.Storage.Postgres.Schema;

namespace Provenance.Storage.Postgres.Reminders;

/// <summary>Reminders in <c>reminders</c>; claiming is one statement (<c>FOR UPDATE SKIP LOCKED</c> + update), so
/// nodes polling together never fire the same tick twice.</summary>
internal sealed class PostgresReminderTable(NpgsqlDataSource dataSource) : IReminderTable
{
    // next_due moves to the first tick strictly after now: next_due + period * (floor((now - next_due) / period) + 1).
    private static readonly string ClaimSql = $"""
        WITH due AS (
            SELECT grain_type, grain_key, name, next_due FROM {SchemaNames.Reminders}
            WHERE next_due <= $1 ORDER BY next_due LIMIT $2 FOR UPDATE SKIP LOCKED
        )
        UPDATE {SchemaNames.Reminders} r
        SET next_due = r.next_due + r.period * (floor(extract(epoch FROM ($1 - r.next_due)) / extract(epoch FROM r.period)) + 1)
        FROM due
        WHERE r.grain_type = due.grain_type AND r.grain_key = due.grain_key AND r.name = due.name
        RETURNING r.grain_type, r.grain_key, r.name, due.next_due, r.period
        """;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The period is not positive.</exception>
    public async Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(entry.Period, TimeSpan.Zero);
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO {SchemaNames.Reminders} (grain_type, grain_key, name, next_due, period) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET next_due = EXCLUDED.next_due, period = EXCLUDED.period
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.GrainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.GrainKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Name });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = entry.NextDue.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = entry.Period });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"DELETE FROM {SchemaNames.Reminders} WHERE grain_type = $1 AND grain_key = $2 AND name = $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ReminderEntry>> ReadAsync(string grainType, string grainKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT grain_type, grain_key, name, next_due, period FROM {SchemaNames.Reminders} WHERE grain_type = $1 AND grain_key = $2 ORDER BY name");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainKey });
        return await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>The returned entries carry the tick being fired as <see cref="ReminderEntry.NextDue"/>.</remarks>
    public async Task<IReadOnlyList<ReminderEntry>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        return await ReadEntriesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<ReminderEntry>> ReadEntriesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new ReminderEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<TimeSpan>(4)));
        }

        return entries;
    }
}
