using System.Globalization;
using Provenance.Server.Hosting;

namespace Provenance.Server.Audit;

/// <summary>
/// When the audit runs on its own (<c>Provenance:Audit</c>): every <see cref="AuditSettings.IntervalHours"/>, or daily at
/// <see cref="AuditSettings.DailyAtUtc"/> (or the daily <see cref="AuditSettings.Cron"/> form), as the due time and
/// period of the audit grain's reminder. Pure: the clock is passed in.
/// </summary>
/// <param name="Key">Identifies the schedule; the grain re-registers its reminder only when the key changes, so a restart does not move the next run.</param>
/// <param name="Period">Time between two runs.</param>
internal sealed record AuditSchedule(string Key, TimeSpan Period)
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <summary>The configured schedule, or <see langword="null"/> when the audit runs only on request (<c>IntervalHours</c> 0 and no daily time).</summary>
    /// <exception cref="InvalidOperationException">The settings are invalid (see <see cref="NextDelay"/>).</exception>
    public static AuditSchedule? From(AuditSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (DailyTime(settings) is { } at)
        {
            return new AuditSchedule(string.Create(CultureInfo.InvariantCulture, $"daily {at:HH\\:mm}"), Day);
        }

        return settings.IntervalHours > 0
            ? new AuditSchedule(string.Create(CultureInfo.InvariantCulture, $"every {TimeSpan.FromHours(settings.IntervalHours):c}"), TimeSpan.FromHours(settings.IntervalHours))
            : null;
    }

    /// <summary>Time to the next scheduled run: the next <c>DailyAtUtc</c> time, else <c>IntervalHours</c>; null when unscheduled.</summary>
    /// <exception cref="InvalidOperationException"><c>Cron</c> is not of the form <c>"M H * * *"</c>, <c>DailyAtUtc</c> is not <c>HH:mm</c>, or <c>IntervalHours</c> is negative.</exception>
    public static TimeSpan? NextDelay(AuditSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (DailyTime(settings) is { } at)
        {
            var today = new DateTimeOffset(DateOnly.FromDateTime(now.UtcDateTime).ToDateTime(at), TimeSpan.Zero);
            var next = today > now ? today : today.AddDays(1);
            return next - now;
        }

        return settings.IntervalHours > 0 ? TimeSpan.FromHours(settings.IntervalHours) : null;
    }

    private static TimeOnly? DailyTime(AuditSettings settings)
    {
        if (settings.IntervalHours < 0 || double.IsNaN(settings.IntervalHours))
        {
            throw new InvalidOperationException($"Provenance:Audit:IntervalHours must be 0 (no schedule) or more; it is {settings.IntervalHours.ToString(CultureInfo.InvariantCulture)}.");
        }

        var daily = settings.DailyAtUtc;
        if (!string.IsNullOrWhiteSpace(settings.Cron))
        {
            var fields = settings.Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 5 || fields[2..].Any(f => f != "*") ||
                !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var minute) || minute > 59 ||
                !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hour) || hour > 23)
            {
                throw new InvalidOperationException($"Provenance:Audit:Cron '{settings.Cron}' is not supported; use the daily form 'M H * * *' (UTC), e.g. '30 3 * * *'.");
            }

            daily = $"{hour:00}:{minute:00}";
        }

        if (string.IsNullOrWhiteSpace(daily))
        {
            return null;
        }

        return TimeOnly.TryParseExact(daily, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at
            : throw new InvalidOperationException($"Provenance:Audit:DailyAtUtc '{daily}' is not HH:mm.");
    }
}
