using Provenance.Server.Audit;

namespace Provenance.Server.Tests.Audit;

public sealed class AuditScheduleTests
{
    [Fact]
    public void NextDelay_DailyAtUtc_IsNextOccurrence()
    {
        var now = new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromHours(22), AuditSchedule.NextDelay(new() { DailyAtUtc = "03:00" }, now));
        Assert.Equal(TimeSpan.FromHours(1), AuditSchedule.NextDelay(new() { DailyAtUtc = "06:00" }, now));
        Assert.Equal(TimeSpan.FromHours(24), AuditSchedule.NextDelay(new(), now));
        Assert.Null(AuditSchedule.NextDelay(new() { IntervalHours = 0 }, now));
        Assert.Equal(TimeSpan.FromMinutes(90), AuditSchedule.NextDelay(new() { Cron = "30 6 * * *" }, now));
        Assert.Throws<InvalidOperationException>(() => AuditSchedule.NextDelay(new() { Cron = "*/5 * * * *" }, now));
        Assert.Throws<InvalidOperationException>(() => AuditSchedule.NextDelay(new() { DailyAtUtc = "25:00" }, now));
    }

    [Fact]
    public void From_Settings_GivesReminderPeriodAndAKeyThatChangesWithTheSchedule()
    {
        var nightly = AuditSchedule.From(new());
        var daily = AuditSchedule.From(new() { DailyAtUtc = "03:00" });
        var cron = AuditSchedule.From(new() { Cron = "0 3 * * *" });
        var hourly = AuditSchedule.From(new() { IntervalHours = 1 });

        Assert.Equal(TimeSpan.FromHours(24), nightly!.Period);
        Assert.Equal(TimeSpan.FromDays(1), daily!.Period);
        Assert.Equal(daily, cron);
        Assert.Equal(TimeSpan.FromHours(1), hourly!.Period);
        Assert.Equal(3, new[] { nightly.Key, daily.Key, hourly.Key }.Distinct().Count());
        Assert.Null(AuditSchedule.From(new() { IntervalHours = 0 }));
        Assert.Throws<InvalidOperationException>(() => AuditSchedule.From(new() { IntervalHours = -1 }));
        Assert.Throws<InvalidOperationException>(() => AuditSchedule.From(new() { Cron = "30 3 1 * *" }));
    }
}
