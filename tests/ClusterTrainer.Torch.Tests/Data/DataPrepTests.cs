using ClusterTrainer.Torch.Data;
using Xunit;

namespace ClusterTrainer.Torch.Tests.Data;

public sealed class DataPrepTests
{
    [Fact]
    public void Csv_with_header_selects_columns_and_skips_comments()
    {
        var csv = "# generated\ntime,temp,load\n0,1.5,10\n1,2.5,20\n\n2,-3e-1,30\n";
        var (values, steps, cols) = CsvSeries.Parse(new StringReader(csv), "mem.csv", ["load", "temp"]);
        Assert.Equal(3, steps);
        Assert.Equal(["load", "temp"], cols);
        Assert.Equal([10f, 1.5f, 20f, 2.5f, 30f, -0.3f], values);
    }

    [Fact]
    public void Csv_errors_name_line_and_column()
    {
        var e = Assert.Throws<InvalidDataException>(() => CsvSeries.Parse(new StringReader("a,b\n1,2\n3,x\n"), "s.csv"));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("column 'b'", e.Message);
        var ragged = Assert.Throws<InvalidDataException>(() => CsvSeries.Parse(new StringReader("1,2\n3\n"), "s.csv"));
        Assert.Contains("line 2 has 1 cells; expected 2", ragged.Message);
        var missing = Assert.Throws<InvalidDataException>(() => CsvSeries.Parse(new StringReader("a,b\n1,2\n"), "s.csv", ["c"]));
        Assert.Contains("a, b", missing.Message);
    }

    [Fact]
    public void Windows_pair_each_window_with_the_value_horizon_steps_later()
    {
        var series = Enumerable.Range(0, 6).Select(i => (float)i).ToArray();
        var ds = CsvSeries.Windows(series, features: 1, window: 3, horizon: 2);
        Assert.Equal(2, ds.Count); // windows [0,1,2]->4 and [1,2,3]->5
        Assert.Equal([0f, 1f, 2f, 1f, 2f, 3f], ds.Inputs);
        Assert.Equal([4f, 5f], ds.Values!);
        Assert.Throws<ArgumentException>(() => CsvSeries.Windows(series, 1, window: 5, horizon: 2));
    }

    [Fact]
    public void Standardizer_fits_on_train_and_applies_the_same_statistics_to_other_data()
    {
        var train = new float[] { 1, 10, 3, 30 }; // feature 0: {1,3} feature 1: {10,30}
        var s = Standardizer.Fit(train, features: 2);
        Assert.Equal([2f, 20f], s.Mean);
        Assert.Equal([1f, 10f], s.Std);
        var test = new float[] { 2, 40 };
        s.Apply(test);
        Assert.Equal([0f, 2f], test);
        s.Invert(test);
        Assert.Equal([2f, 40f], test);

        var constant = Standardizer.Fit(new float[] { 5, 5, 5 });
        var v = new float[] { 5, 6 };
        constant.Apply(v);
        Assert.Equal([0f, 1f], v); // constant feature: centred, std treated as 1
    }

    [Fact]
    public void MinMax_maps_training_range_to_unit_interval()
    {
        var m = MinMaxScaler.Fit(new float[] { -2, 0, 2 });
        var v = new float[] { -2, 0, 2, 4 };
        m.Apply(v);
        Assert.Equal([0f, 0.5f, 1f, 1.5f], v);
    }

    [Fact]
    public void Split_is_deterministic_disjoint_and_complete()
    {
        var (t1, v1) = DataSplit.Indices(1000, 0.1, seed: 7);
        var (t2, v2) = DataSplit.Indices(1000, 0.1, seed: 7);
        var (_, v3) = DataSplit.Indices(1000, 0.1, seed: 8);
        Assert.Equal(t1, t2);
        Assert.Equal(v1, v2);
        Assert.NotEqual(v1, v3);
        Assert.Equal(100, v1.Length);
        Assert.Empty(t1.Intersect(v1));
        Assert.Equal(Enumerable.Range(0, 1000), t1.Concat(v1).Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Indices(10, 1.0, 1));
    }

    [Fact]
    public void Subset_copies_inputs_and_labels_in_order()
    {
        var ds = new TensorDataset([0, 1, 2, 3, 4, 5], [2], new long[] { 7, 8, 9 });
        var sub = ds.Subset([2, 0]);
        Assert.Equal([4f, 5f, 0f, 1f], sub.Inputs);
        Assert.Equal([9L, 7L], sub.ClassLabels!);
        Assert.Throws<ArgumentException>(() => new TensorDataset([0, 1, 2], [2], new long[] { 1, 2 }));
    }
}
