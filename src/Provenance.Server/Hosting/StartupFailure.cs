namespace Provenance.Server.Hosting;

/// <summary>Turns a start-up failure into the one line the server prints before it exits.</summary>
internal static class StartupFailure
{
    /// <summary>The failure's message followed by its causes' messages, on one line (each distinct message once).</summary>
    public static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var message = e.Message.ReplaceLineEndings(" ").Trim();
            if (message.Length > 0 && !parts.Any(p => p.Contains(message, StringComparison.Ordinal)))
            {
                parts.Add(message);
            }
        }

        return string.Join(": ", parts.Select((p, i) => i < parts.Count - 1 ? p.TrimEnd('.') : p));
    }
}
