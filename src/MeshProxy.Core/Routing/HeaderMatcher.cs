using MeshProxy.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MeshProxy.Routing;

/// <summary>One header condition of a route (Envoy's HeaderMatcher): exact, prefix or present, optionally inverted.</summary>
public sealed class HeaderMatcher
{
    private readonly HeaderMatchConfig _config;

    public HeaderMatcher(HeaderMatchConfig config) => _config = config;

    public bool Matches(IHeaderDictionary headers)
    {
        var present = headers.TryGetValue(_config.Name, out var values);
        return Evaluate(present, values);
    }

    /// <summary>Matches a response's headers (retriable_headers), content headers included.</summary>
    public bool Matches(HttpResponseMessage response)
    {
        var present = response.Headers.TryGetValues(_config.Name, out var values)
            || (response.Content is { } content && content.Headers.TryGetValues(_config.Name, out values));
        return Evaluate(present, present ? new StringValues(values!.ToArray()) : StringValues.Empty);
    }

    private bool Evaluate(bool present, StringValues values)
    {
        bool result;
        if (_config.Present is { } wantPresent)
        {
            result = present == wantPresent;
        }
        else if (!present)
        {
            // Envoy: a missing header never matches a value condition, even when inverted.
            return false;
        }
        else
        {
            var value = values.Count == 1 ? values[0] ?? "" : string.Join(',', (IEnumerable<string?>)values);
            result = _config.Exact is { } exact
                ? string.Equals(value, exact, StringComparison.Ordinal)
                : value.StartsWith(_config.Prefix!, StringComparison.Ordinal);
        }
        return result != _config.Invert;
    }
}
