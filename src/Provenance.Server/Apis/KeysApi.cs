using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Server.Auth;
using Provenance.Server.Signing;

namespace Provenance.Server.Apis;

/// <summary>Public parts of the manifest and log signing keys (scope <c>read</c>); private keys never leave the server.
/// Also GET /v1/me, which tells any valid key its own tenant and scopes (the dashboard uses it).</summary>
internal static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/keys", ListAsync).WithTags("Keys").RequireScope(Scopes.Read)
            .WithName("ListSigningKeys")
            .WithSummary("Manifest and log signing keys: JWK coordinates, SPKI PEM and status (active, retired, revoked).");
        routes.MapGet("/v1/me", Me).WithTags("Keys").RequireAnyKey()
            .WithName("GetCaller")
            .WithSummary("The API key of this request: key id, tenant and scopes (any valid key; never the secret).");
        return routes;
    }

    private static Ok<CallerDto> Me(ClaimsPrincipal user) =>
        TypedResults.Ok(new CallerDto(
            user.FindFirstValue(CallerClaims.KeyId) ?? throw new InvalidOperationException("No authenticated caller."),
            user.Tenant(),
            [.. user.FindAll(CallerClaims.Scope).Select(c => c.Value).Order(StringComparer.Ordinal)]));

    private static async Task<Ok<PublicKeyDto[]>> ListAsync(SigningKeyStores stores, CancellationToken cancellationToken)
    {
        var keys = new List<PublicKeyDto>();
        foreach (var store in new[] { stores.ManifestKeys, stores.LogKeys })
        {
            var created = await store.CreatedAtAsync(cancellationToken);
            foreach (var stored in await store.LoadAllAsync(cancellationToken))
            {
                var publicKey = SigningKey.FromPkcs8Pem(stored.Pkcs8Pem).PublicKey;
                var jwk = publicKey.ToJwk();
                keys.Add(new PublicKeyDto(stored.Kid, stored.Status.ToString().ToLowerInvariant(), jwk.Kty, jwk.Crv, jwk.X, jwk.Y, publicKey.ExportSpkiPem(), created.GetValueOrDefault(stored.Kid)));
            }
        }

        return TypedResults.Ok(keys.ToArray());
    }
}
