using System.Diagnostics;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Node.Control;

/// <summary>The process metrics every node exposes next to the control plane's own, named as Prometheus client libraries name them.</summary>
internal static class ProcessMetrics
{
    private static readonly double StartTimeSeconds = StartTime();
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    public static IReadOnlyList<MetricSample> Sample()
    {
        var gc = GC.GetGCMemoryInfo();
        var samples = new List<MetricSample>
        {
            new("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", NoLabels, Environment.WorkingSet),
            new("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", NoLabels, Environment.CpuUsage.TotalTime.TotalSeconds),
            new("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge", NoLabels, StartTimeSeconds),
            new("dotnet_gc_heap_bytes", "Bytes on the managed heap after the last garbage collection.", "gauge", NoLabels, gc.HeapSizeBytes),
            new("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.", "counter", NoLabels, GC.GetTotalAllocatedBytes()),
        };
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
            samples.Add(new("dotnet_gc_collections_total", "Garbage collections since the process started, by generation.", "counter",
                new Dictionary<string, string> { ["generation"] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                GC.CollectionCount(generation)));
        return samples;
    }

    private static double StartTime()
    {
        using var self = Process.GetCurrentProcess();
        return (self.StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds;
    }
}
