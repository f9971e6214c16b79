namespace ClusterTrainer.Node.Settings;

/// <summary>"Did you mean" for mistyped flags and keys: the closest known name by edit distance, if close enough.</summary>
public static class Suggest
{
    /// <summary>
    /// The candidate nearest to <paramref name="typed"/> (case-insensitive), or null when none is within
    /// a third of the typed length (at least 2 edits) — far-off guesses help nobody.
    /// </summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string t = typed.ToLowerInvariant();
        int limit = Math.Max(2, t.Length / 3);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string c in candidates)
        {
            int d = Distance(t, c.ToLowerInvariant());
            if (d < bestDistance) { best = c; bestDistance = d; }
        }
        return bestDistance <= limit ? best : null;
    }

    /// <summary>" (did you mean X?)" or "" — ready to append to a message.</summary>
    public static string DidYouMean(string typed, IEnumerable<string> candidates) =>
        Closest(typed, candidates) is { } c ? $" (did you mean {c}?)" : "";

    /// <summary>Levenshtein distance with one rolling row.</summary>
    public static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
