using System.Text.Json;
using ClusterTrainer.Training.Control;
using Microsoft.AspNetCore.Http;

namespace ClusterTrainer.Node.Control;

/// <summary>JSON in and out of the control API, in <see cref="ControlJson.Options"/>.</summary>
internal static class HttpJson
{
    public const string ContentType = "application/json; charset=utf-8";

    public static Task Write<T>(HttpContext ctx, T value, int status = StatusCodes.Status200OK)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = ContentType;
        return JsonSerializer.SerializeAsync(ctx.Response.Body, value, ControlJson.Options, ctx.RequestAborted);
    }

    public static Task Error(HttpContext ctx, int status, string error, IReadOnlyList<string>? details = null) =>
        Write(ctx, new ControlError(error, details), status);

    /// <summary>
    /// Reads the request body as <typeparamref name="T"/>; an empty body gives <paramref name="whenEmpty"/> when
    /// that is allowed. Throws a 400 <see cref="ControlException"/> saying what is wrong and what was expected.
    /// </summary>
    public static async Task<T> Read<T>(HttpContext ctx, string expected, T? whenEmpty = null) where T : class
    {
        var type = ctx.Request.ContentType;
        if (type is not null && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
            throw new ControlException(ControlFailure.BadRequest, $"request body must be JSON (Content-Type: application/json), got '{type}'; expected {expected}");
        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted).ConfigureAwait(false);
        if (buffer.Length == 0)
            return whenEmpty ?? throw new ControlException(ControlFailure.BadRequest, $"request body is empty; expected {expected}");
        buffer.Position = 0;
        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync<T>(buffer, ControlJson.Options, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            throw new ControlException(ControlFailure.BadRequest, $"malformed JSON body{where}: {FirstSentence(e.Message)}; expected {expected}");
        }
        return value ?? throw new ControlException(ControlFailure.BadRequest, $"request body is JSON null; expected {expected}");
    }

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends "Path: $ | LineNumber: 0 | BytePositionInLine: 3." which the caller already says better.
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
