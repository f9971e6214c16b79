using System.Text.RegularExpressions;

namespace ClusterTrainer.Persistence.Sql;

/// <summary>
/// Table and schema names come from settings and end up inside SQL text, so they are validated as
/// plain identifiers (letters, digits, underscore; not starting with a digit; at most 63 characters,
/// PostgreSQL's limit) instead of being escaped.
/// </summary>
public static partial class SqlIdentifier
{
    /// <summary>Returns <paramref name="name"/> when it is a valid identifier; otherwise throws naming the setting.</summary>
    public static string Validate(string? name, string settingName)
    {
        if (string.IsNullOrEmpty(name) || !Pattern().IsMatch(name))
        {
            throw new ArgumentException(
                $"setting '{settingName}' is '{name}', which is not a valid SQL identifier: use 1-63 characters from " +
                "[A-Za-z0-9_], not starting with a digit (e.g. 'event_journal')", settingName);
        }

        return name;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
