using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Tcma.Functions.Web;

/// <summary>A request body read as JSON within a size limit, or the 400 that says why it is not one.</summary>
internal static class JsonBody
{
    /// <param name="what">What the body should be, in the problem's words ("routing rules as JSON").</param>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, int maxBytes, JsonSerializerOptions options, string what, CancellationToken ct)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(new LimitedStream(request.Body, maxBytes), options, ct);
            return value is null ? (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is empty.")) : (value, null);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"The body is not {what} (at most {maxBytes / 1024} KiB).", detail: e.Message));
        }
    }
}
