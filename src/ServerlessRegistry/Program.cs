using ServerlessRegistry.Hosting;

await RegistryApp.Build(args).RunAsync();
