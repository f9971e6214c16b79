Console.WriteLine("ClusterTrainer node: not yet implemented");
return 1;
