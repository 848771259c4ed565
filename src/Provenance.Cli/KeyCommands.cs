using System.CommandLine;
using Provenance.Core.Contracts;

namespace Provenance.Cli;

/// <summary><c>provenance keys create|list|revoke</c>: API keys of the caller's tenant (admin scope).</summary>
internal static class KeyCommands
{
    public static Command Create(GlobalOptions globals)
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant of the new key (default: default)", DefaultValueFactory = _ => "default" };
        var scopes = new Option<string[]>("--scope") { Description = $"Scope; repeatable: {string.Join(", ", Scopes.All)} (default: read)", Arity = ArgumentArity.ZeroOrMore };
        var description = new Option<string?>("--description") { Description = "What the key is for" };
        var create = new Command("create", "Create an API key; its secret is printed once") { tenant, scopes, description };
        create.Validators.Add(r =>
        {
            var unknown = (r.GetValue(scopes) ?? []).FirstOrDefault(s => !Scopes.All.Contains(s));
            if (unknown is not null)
            {
                r.AddError($"Unknown scope '{unknown}'; use {string.Join(", ", Scopes.All)}.");
            }
        });
        create.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            var chosen = parsed.GetValue(scopes) is { Length: > 0 } s ? s : [Scopes.Read];
            using var client = globals.CreateClient(parsed);
            var key = await client.Admin.CreateApiKeyAsync(new CreateApiKeyRequest(parsed.GetValue(tenant)!, chosen, parsed.GetValue(description)), ct).ConfigureAwait(false);
            if (parsed.GetValue(globals.Json))
            {
                await CliApp.WriteJsonAsync(globals.Env, key).ConfigureAwait(false);
            }
            else
            {
                await globals.Env.Out.WriteLineAsync($"key {key.KeyId} (tenant {key.Tenant}, scopes {string.Join(",", key.Scopes)})").ConfigureAwait(false);
                await globals.Env.Out.WriteLineAsync($"secret: {key.Secret} (shown once)").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));

        var list = new Command("list", "List the tenant's API keys");
        list.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            using var client = globals.CreateClient(parsed);
            var keys = await client.Admin.ListApiKeysAsync(ct).ConfigureAwait(false);
            if (parsed.GetValue(globals.Json))
            {
                await CliApp.WriteJsonAsync(globals.Env, keys).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            foreach (var k in keys)
            {
                var state = k.RevokedAt is { } at ? $"revoked {at:O}" : "active";
                await globals.Env.Out.WriteLineAsync($"{k.KeyId,-24} {string.Join(",", k.Scopes),-28} {state,-10} {k.Description}").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));

        var keyId = new Argument<string>("keyId") { Description = "Id of the key to revoke" };
        var revoke = new Command("revoke", "Revoke an API key") { keyId };
        revoke.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            using var client = globals.CreateClient(parsed);
            await client.Admin.RevokeApiKeyAsync(parsed.GetValue(keyId)!, ct).ConfigureAwait(false);
            if (parsed.GetValue(globals.Json))
            {
                await CliApp.WriteJsonAsync(globals.Env, new { keyId = parsed.GetValue(keyId), revoked = true }).ConfigureAwait(false);
            }
            else
            {
                await globals.Env.Out.WriteLineAsync($"revoked {parsed.GetValue(keyId)}").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));

        return new Command("keys", "API keys: create, list, revoke (admin scope)") { create, list, revoke };
    }
}
