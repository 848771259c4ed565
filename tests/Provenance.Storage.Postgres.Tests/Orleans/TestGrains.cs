using System.Collections.Concurrent;

namespace Provenance.Storage.Postgres.Tests.OrleansAdoNet;

public interface IPingGrain : IGrainWithStringKey
{
    /// <summary>The address of the silo the activation lives on.</summary>
    Task<string> WhereAsync();
}

public sealed class PingGrain : Grain, IPingGrain
{
    public Task<string> WhereAsync() => Task.FromResult(RuntimeIdentity);
}

public interface IReminderTestGrain : IGrainWithStringKey
{
    Task RegisterAsync(string name, TimeSpan dueTime, TimeSpan period);

    Task UnregisterAsync(string name);

    Task<string[]> ListAsync();
}

/// <summary>Counts reminder ticks in <see cref="Ticks"/> (silos run in the test process, so a static is shared).</summary>
public sealed class ReminderTestGrain : Grain, IReminderTestGrain, IRemindable
{
    /// <summary>Ticks per "grainKey/reminderName".</summary>
    public static ConcurrentDictionary<string, int> Ticks { get; } = new();

    public Task RegisterAsync(string name, TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task UnregisterAsync(string name)
    {
        var reminder = await this.GetReminder(name);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task<string[]> ListAsync() => [.. (await this.GetReminders()).Select(r => r.ReminderName).Order(StringComparer.Ordinal)];

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Ticks.AddOrUpdate($"{this.GetPrimaryKeyString()}/{reminderName}", 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}

/// <summary>Plain state: no Orleans serializer attributes, written as JSON by System.Text.Json.</summary>
public sealed class CounterState
{
    public int Value { get; set; }

    public string? Note { get; set; }
}

public interface ICounterGrain : IGrainWithStringKey
{
    Task SetAsync(int value, string note);

    Task<int> GetAsync();

    Task<string?> GetEtagAsync();

    Task<bool> GetRecordExistsAsync();

    Task ClearAsync();

    Task DeactivateAsync();
}

public sealed class CounterGrain : Grain, ICounterGrain
{
    private readonly IPersistentState<CounterState> state;

    public CounterGrain([PersistentState("counter", PostgresOrleansCluster.StorageName)] IPersistentState<CounterState> state)
    {
        this.state = state;
    }

    public Task SetAsync(int value, string note)
    {
        state.State.Value = value;
        state.State.Note = note;
        return state.WriteStateAsync();
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Value);

    public Task<string?> GetEtagAsync() => Task.FromResult<string?>(state.Etag);

    public Task<bool> GetRecordExistsAsync() => Task.FromResult(state.RecordExists);

    public Task ClearAsync() => state.ClearStateAsync();

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
