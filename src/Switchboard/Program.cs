using Switchboard.Cli;

return await SwitchboardCommandLine.RunAsync(args);
