using System.Globalization;

namespace ClusterTrainer.Torch.Data;

/// <summary>
/// Loads numeric time series from CSV text: one row per time step, comma separated, an optional header
/// row, invariant-culture numbers. Errors name the file, the line and the column.
/// </summary>
public static class CsvSeries
{
    /// <summary>Reads the named columns (all columns when <paramref name="columns"/> is null) of a CSV file
    /// into a [steps, columns] row-major array.</summary>
    public static (float[] Values, int Steps, string[] Columns) Load(string path, IReadOnlyList<string>? columns = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"CSV series file '{path}' does not exist.", path);
        using var reader = new StreamReader(path);
        return Parse(reader, path, columns);
    }

    /// <summary>Reads one column of a CSV file as a 1-D series.</summary>
    public static float[] LoadColumn(string path, string column) => Load(path, [column]).Values;

    /// <summary>Parses CSV text; <paramref name="source"/> only names it in messages.</summary>
    public static (float[] Values, int Steps, string[] Columns) Parse(TextReader reader, string source, IReadOnlyList<string>? columns = null)
    {
        string? first = NextContentLine(reader, out int lineNo, 0);
        if (first is null) throw new InvalidDataException($"CSV series '{source}' is empty; expected a header row or numeric rows.");
        var firstCells = Split(first);
        bool hasHeader = firstCells.Any(c => !float.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        string[] header = hasHeader ? firstCells : Enumerable.Range(0, firstCells.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        int[] pick;
        if (columns is null) pick = Enumerable.Range(0, header.Length).ToArray();
        else
        {
            pick = new int[columns.Count];
            for (int i = 0; i < columns.Count; i++)
            {
                pick[i] = Array.IndexOf(header, columns[i]);
                if (pick[i] < 0)
                    throw new InvalidDataException($"CSV series '{source}' has no column '{columns[i]}'; its columns are: {string.Join(", ", header)}" +
                                                   (hasHeader ? "." : " (no header row, so columns are named by position)."));
            }
        }
        var values = new List<float>();
        int steps = 0;
        string? line = hasHeader ? NextContentLine(reader, out lineNo, lineNo) : first;
        while (line is not null)
        {
            var cells = Split(line);
            if (cells.Length != header.Length)
                throw new InvalidDataException($"CSV series '{source}' line {lineNo} has {cells.Length} cells; expected {header.Length} like the first row.");
            foreach (int c in pick)
            {
                if (!float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new InvalidDataException($"CSV series '{source}' line {lineNo}, column '{header[c]}': '{cells[c]}' is not a finite number " +
                                                   "(use '.' as the decimal separator).");
                values.Add(v);
            }
            steps++;
            line = NextContentLine(reader, out lineNo, lineNo);
        }
        if (steps == 0) throw new InvalidDataException($"CSV series '{source}' has a header but no data rows.");
        return (values.ToArray(), steps, pick.Select(i => header[i]).ToArray());
    }

    /// <summary>
    /// Cuts a [steps, features] series into supervised windows: input = <paramref name="window"/> steps,
    /// target = the value of <paramref name="targetColumn"/> <paramref name="horizon"/> steps after the window.
    /// The dataset's samples have shape [window, features] and targets shape [1].
    /// </summary>
    public static TensorDataset Windows(float[] series, int features, int window, int horizon = 1, int targetColumn = 0)
    {
        if (features <= 0 || series.Length % features != 0)
            throw new ArgumentException($"series of {series.Length} values is not a whole number of rows of {features} features.", nameof(series));
        if (window <= 0) throw new ArgumentOutOfRangeException(nameof(window), window, "window must be at least one step");
        if (horizon <= 0) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "horizon must be at least one step");
        if ((uint)targetColumn >= (uint)features) throw new ArgumentOutOfRangeException(nameof(targetColumn), targetColumn, $"must be in 0..{features - 1}");
        int steps = series.Length / features;
        int n = steps - window - horizon + 1;
        if (n <= 0)
            throw new ArgumentException($"a series of {steps} steps is too short for window {window} + horizon {horizon}; it needs at least {window + horizon} steps.", nameof(series));
        var x = new float[(long)n * window * features];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            series.AsSpan(i * features, window * features).CopyTo(x.AsSpan(i * window * features));
            y[i] = series[(i + window + horizon - 1) * features + targetColumn];
        }
        return new TensorDataset(x, [window, features], y, [1]);
    }

    private static string? NextContentLine(TextReader reader, out int lineNo, int current)
    {
        lineNo = current;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Trim().Length > 0 && !line.TrimStart().StartsWith('#')) return line;
        }
        return null;
    }

    private static string[] Split(string line) => line.Split(',').Select(c => c.Trim().Trim('"')).ToArray();
}
