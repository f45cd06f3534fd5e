using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ServerlessRegistry.Functions;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureRegistryWorker();
builder.Build().Run();
