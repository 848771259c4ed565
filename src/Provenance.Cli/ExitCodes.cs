namespace Provenance.Cli;

/// <summary>Process exit codes of <c>provenance</c> (docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>Success; for verify: verified or partially verified (pending checks listed).</summary>
    public const int Ok = 0;

    /// <summary>A verification ran and failed (or the bundle is unreadable).</summary>
    public const int VerificationFailed = 1;

    /// <summary>Bad arguments or options, an unreadable input file, or input the server refused as invalid (400, 409, 413).</summary>
    public const int Usage = 2;

    /// <summary>The asset, prompt, epoch or key does not exist (404).</summary>
    public const int NotFound = 3;

    /// <summary>Missing, unknown or revoked API key, or a key without the scope (401, 403).</summary>
    public const int Auth = 4;

    /// <summary>The server failed (5xx), could not be reached, or did not answer in time.</summary>
    public const int ServerOrNetwork = 5;
}

/// <summary>Wrong use of the command that the parser cannot see (e.g. a malformed <c>--parent</c>); exits with <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
