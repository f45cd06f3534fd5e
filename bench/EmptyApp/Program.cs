using System.Globalization;
using System.Net;

// The least an ASP.NET Core app can be while answering GET /v2/ the way the registry does: the slim builder,
// Kestrel on loopback at REGISTRY_PORT, one route.
var builder = WebApplication.CreateSlimBuilder(args);
var port = int.Parse(builder.Configuration["REGISTRY_PORT"] ?? "5000", CultureInfo.InvariantCulture);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
var app = builder.Build();
app.MapGet("/v2/", () => TypedResults.Ok());
await app.RunAsync();
