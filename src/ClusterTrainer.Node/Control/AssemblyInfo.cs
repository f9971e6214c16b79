using System.Runtime.CompilerServices;

// Tests start the server with a short SSE heartbeat (ControlServer.StartAsync's internal overload).
[assembly: InternalsVisibleTo("ClusterTrainer.Node.Tests")]
