using ClusterTrainer.Cli;

return await CtrApp.RunAsync(args, CliContext.ForProcess());
