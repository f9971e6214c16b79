Console.Error.WriteLine("ctr: not yet implemented");
return 1;
