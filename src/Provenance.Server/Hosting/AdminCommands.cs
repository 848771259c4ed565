using Provenance.Core.Contracts;
using Provenance.Server.Auth;
using Provenance.Server.Signing;

namespace Provenance.Server.Hosting;

/// <summary>
/// Administration from the command line, run instead of the web host:
/// <c>Provenance.Server keys create --tenant X --scopes read,register [--description text]</c> prints a new key;
/// <c>Provenance.Server signing-keys list|rotate|revoke ...</c> manages the signing key rings (<see cref="Signing.SigningKeyCommands"/>).
/// Uses the same configuration (and embedded database) as the server.
/// </summary>
internal static class AdminCommands
{
    /// <summary>Runs a command when <paramref name="args"/> starts with one; <see langword="null"/> otherwise (start the server).</summary>
    public static async Task<int?> TryRunAsync(string[] args)
    {
        if (args.Length >= 1 && args[0] == "signing-keys")
        {
            return await SigningKeysAsync(args[1..]);
        }

        if (args.Length < 2 || args[0] != "keys" || args[1] != "create")
        {
            return null;
        }

        string? tenant = null, scopes = null, description = null;
        var rest = new List<string>();
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--tenant" when i + 1 < args.Length: tenant = args[++i]; break;
                case "--scopes" when i + 1 < args.Length: scopes = args[++i]; break;
                case "--description" when i + 1 < args.Length: description = args[++i]; break;
                default: rest.Add(args[i]); break;
            }
        }

        var scopeList = (scopes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!Tenants.IsValid(tenant) || scopeList.Length == 0 || scopeList.Any(s => !Scopes.All.Contains(s)))
        {
            await Console.Error.WriteLineAsync($"usage: Provenance.Server keys create --tenant <tenant> --scopes <{string.Join('|', Scopes.All)}>[,...] [--description <text>]");
            return 2;
        }

        await using var app = await ServerHost.BuildAsync([.. rest]);
        var key = await app.Services.GetRequiredService<ApiKeyStore>().CreateAsync(tenant!, scopeList.Distinct().ToArray(), description, CancellationToken.None);
        Console.Out.WriteLine($"API key: {key.Secret}");
        Console.Out.WriteLine($"key id: {key.KeyId}  tenant: {key.Tenant}  scopes: {string.Join(',', key.Scopes)}");
        return 0;
    }

    /// <summary><c>signing-keys ...</c>: needs only the key folders of the configuration, not the database.</summary>
    private static async Task<int> SigningKeysAsync(string[] args)
    {
        var command = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var configuration = WebApplication.CreateBuilder(args[command.Length..]).Configuration;
        var options = configuration.GetSection(ProvenanceOptions.SectionName).Get<ProvenanceOptions>() ?? new ProvenanceOptions();
        try
        {
            return await SigningKeyCommands.RunAsync(new SigningKeyStores(options), command, Console.Out, Console.Error, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Core.ProvenanceException)
        {
            await Console.Error.WriteLineAsync($"signing-keys: {e.Message}");
            return 1;
        }
    }
}
