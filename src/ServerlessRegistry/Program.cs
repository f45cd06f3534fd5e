using ServerlessRegistry.Cli;

return await RegistryCli.RunAsync(args);
