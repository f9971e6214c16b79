using System.Runtime.CompilerServices;

// The remote tests drive the handshake and framing directly (fuzzing, raw protocol violations).
[assembly: InternalsVisibleTo("ClusterTrainer.Actors.Tests")]
