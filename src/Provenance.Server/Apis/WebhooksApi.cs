using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Provenance.Core.Contracts;
using Provenance.Server.Auth;
using Provenance.Server.Problems;
using Provenance.Server.Webhooks;

namespace Provenance.Server.Apis;

/// <summary>Webhook subscriptions of the caller's tenant (scope <c>admin</c>).</summary>
internal static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/webhooks").WithTags("Webhooks").RequireScope(Scopes.Admin);
        group.MapPost("/", CreateAsync).WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to events; the HMAC secret is in this answer only.");
        group.MapGet("/", ListAsync).WithName("ListWebhooks")
            .WithSummary("List the tenant's webhook subscriptions.");
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteWebhook")
            .WithSummary("Delete a subscription; undelivered events to it are dropped.");
        return routes;
    }

    private static async Task<Created<WebhookDto>> CreateAsync(CreateWebhookRequest request, ClaimsPrincipal user, WebhookStore store, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || request.Url.Length > 2000)
        {
            throw ApiProblemException.Invalid("url", "Give an absolute http(s) URL of at most 2000 characters.");
        }

        var events = request.Events is null || request.Events.Count == 0 ? WebhookEvents.All : request.Events;
        for (var i = 0; i < events.Count; i++)
        {
            if (!WebhookEvents.All.Contains(events[i]))
            {
                throw ApiProblemException.Invalid($"events[{i}]", $"Unknown event; use {string.Join(", ", WebhookEvents.All)}.");
            }
        }

        var webhook = await store.CreateAsync(user.Tenant(), url, events.Distinct().ToArray(), cancellationToken);
        return TypedResults.Created($"/v1/webhooks/{webhook.Id}", webhook);
    }

    private static async Task<Ok<WebhookDto[]>> ListAsync(ClaimsPrincipal user, WebhookStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListAsync(user.Tenant(), cancellationToken)).ToArray());

    private static async Task<NoContent> DeleteAsync(string id, ClaimsPrincipal user, WebhookStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(user.Tenant(), id, cancellationToken)
            ? TypedResults.NoContent()
            : throw ApiProblemException.NotFound("The webhook", "id");
}
