using ClusterTrainer.Training.Control;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ClusterTrainer.Cli.Output;

/// <summary>
/// A list as rows of plain strings, drawn as a Spectre table that fits the console: when the columns do not fit,
/// the least important ones are left out (a caption says so) instead of squeezing every cell into wrapped slivers.
/// </summary>
internal sealed class Sheet
{
    /// <summary>A column; <paramref name="Keep"/> orders what goes first on a narrow console (lowest first, <see cref="Always"/> never).</summary>
    public sealed record Column(string Header, int Keep = Always);

    public const int Always = int.MaxValue;
    private readonly Column[] _columns;
    private readonly List<string[]> _rows = [];

    public Sheet(params Column[] columns) => _columns = columns;

    public Sheet Add(params string[] cells)
    {
        if (cells.Length != _columns.Length)
            throw new ArgumentException($"a row of {_columns.Length} cells was expected, got {cells.Length}", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    public Table Render(int width)
    {
        var visible = Enumerable.Range(0, _columns.Length).ToList();
        while (Needed(visible) > width && visible.Where(i => _columns[i].Keep != Always).OrderBy(i => _columns[i].Keep).FirstOrDefault(-1) is var drop and >= 0)
            visible.Remove(drop);
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var i in visible)
            table.AddColumn(new TableColumn(new Text(_columns[i].Header, new Style(decoration: Decoration.Bold))));
        foreach (var row in _rows)
            table.AddRow(visible.Select(i => Cell(_columns[i].Header, row[i])));
        var hidden = _columns.Length - visible.Count;
        if (hidden > 0)
            table.Caption($"{hidden} column{(hidden == 1 ? "" : "s")} left out to fit {width} columns: "
                          + string.Join(", ", Enumerable.Range(0, _columns.Length).Except(visible).Select(i => _columns[i].Header))
                          + "; widen the terminal or use --output json");
        return table;
    }

    /// <summary>Characters a table of these columns takes unwrapped: each column its widest cell plus " │ ", and one border.</summary>
    private int Needed(List<int> visible) =>
        1 + visible.Sum(i => 3 + _rows.Select(r => r[i].Length).Append(_columns[i].Header.Length).Max());

    private static IRenderable Cell(string header, string value) => header switch
    {
        "STATUS" when Enum.TryParse<RunStatus>(value, out var status) => Tables.Status(status),
        "REACHABLE" when value == "no" => new Markup("[red]no[/]"),
        _ => new Text(value),
    };
}
