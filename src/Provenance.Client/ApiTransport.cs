using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Provenance.Core.Contracts;

namespace Provenance.Client;

/// <summary>
/// Sends one API call: auth header, per-attempt timeout, retries with exponential backoff and jitter for
/// idempotent methods only (GET, HEAD, PUT, DELETE) on 5xx answers and transport errors, and problem+json
/// answers turned into <see cref="ProvenanceApiException"/>s.
/// </summary>
internal sealed class ApiTransport(HttpClient http, Uri baseAddress, ProvenanceClientOptions options)
{
    private static readonly string UserAgent = $"provenance-client/{typeof(ApiTransport).Assembly.GetName().Version?.ToString(3) ?? "0"}";

    public ProvenanceClientOptions Options => options;

    public static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Put || method == HttpMethod.Delete;

    public async Task<T> SendJsonAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, body is null ? null : () => JsonContent.Create(body, body.GetType(), options: ApiJson.Options), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task SendNoContentAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, body is null ? null : () => JsonContent.Create(body, body.GetType(), options: ApiJson.Options), cancellationToken).ConfigureAwait(false);
    }

    public static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, cancellationToken).ConfigureAwait(false)
                ?? throw new ProvenanceApiException((int)response.StatusCode, "invalid-response", "Empty answer", $"The server answered {(int)response.StatusCode} without a body.", null, null);
        }
        catch (JsonException e)
        {
            throw new ProvenanceApiException((int)response.StatusCode, "invalid-response", "Unreadable answer", $"The server's answer is not the expected JSON: {e.Message}", null, null);
        }
    }

    /// <summary>
    /// Sends a request and returns a successful response with its body not yet read (the caller disposes it).
    /// <paramref name="content"/> is called once per attempt, so retried requests get fresh content.
    /// </summary>
    /// <exception cref="ProvenanceApiException">The server answered with an error status.</exception>
    /// <exception cref="ProvenanceTransportException">No answer within the attempts allowed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Func<HttpContent?>? content, CancellationToken cancellationToken)
    {
        var attempts = IsIdempotent(method) ? options.MaxRetries + 1 : 1;
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (options.Timeout != Timeout.InfiniteTimeSpan)
            {
                timeout.CancelAfter(options.Timeout);
            }

            HttpResponseMessage? response = null;
            Exception? failure;
            try
            {
                using var request = new HttpRequestMessage(method, new Uri(baseAddress, path)) { Content = content?.Invoke() };
                if (options.ApiKey is { Length: > 0 } key)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                }

                request.Headers.UserAgent.ParseAdd(UserAgent);
                request.Headers.Accept.ParseAdd(ApiJson.MediaType);
                request.Headers.Accept.ParseAdd(ApiJson.ProblemMediaType);
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return response;
                }

                failure = await ToExceptionAsync(response, timeout.Token).ConfigureAwait(false);
                if ((int)response.StatusCode < 500 || attempt >= attempts)
                {
                    throw failure;
                }
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                response?.Dispose();
                failure = new ProvenanceTransportException(ProvenanceTransportException.TimeoutCode, $"{method} {path}: no answer within {options.Timeout.TotalSeconds:0.###} s.", e);
                if (attempt >= attempts)
                {
                    throw failure;
                }
            }
            catch (HttpRequestException e)
            {
                response?.Dispose();
                failure = new ProvenanceTransportException(ProvenanceTransportException.TransportCode, $"{method} {path}: cannot reach {baseAddress}: {e.Message}", e);
                if (attempt >= attempts)
                {
                    throw failure;
                }
            }

            var retryAfter = response?.Headers.RetryAfter?.Delta;
            response?.Dispose();
            await Task.Delay(Backoff(attempt, retryAfter), options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Delay before retry number <paramref name="attempt"/> (1-based): base·2^(attempt-1) with ±50 % jitter, or the server's Retry-After, capped.</summary>
    internal TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } server && server > TimeSpan.Zero)
        {
            return server < options.MaxRetryDelay ? server : options.MaxRetryDelay;
        }

        var exponential = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var jittered = exponential * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(jittered, options.MaxRetryDelay.TotalMilliseconds));
    }

    private static async Task<ProvenanceApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        ProblemDetailsBody? problem = null;
        string? text = null;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(text) && text.TrimStart().StartsWith('{'))
            {
                problem = JsonSerializer.Deserialize<ProblemDetailsBody>(text, ApiJson.Options);
            }
        }
        catch (JsonException)
        {
            // Not a problem body (e.g. a proxy's HTML page): fall back to the status and the raw text below.
        }

        var detail = problem?.Detail ?? (problem is null && !string.IsNullOrWhiteSpace(text) && text.Length <= 200 ? text.Trim() : null);
        return ProvenanceApiException.Create(status, problem?.Type, problem?.Title ?? response.ReasonPhrase, detail, problem?.Field, problem?.TraceId);
    }

    public static string Query(string path, params (string Name, object? Value)[] parameters)
    {
        var parts = parameters
            .Where(p => p.Value is not null)
            .Select(p => $"{p.Name}={Uri.EscapeDataString(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!)}")
            .ToList();
        return parts.Count == 0 ? path : $"{path}?{string.Join('&', parts)}";
    }

    public static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Uri.EscapeDataString(value);
    }
}
