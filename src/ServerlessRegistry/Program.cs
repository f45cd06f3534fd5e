var app = WebApplication.CreateSlimBuilder(args).Build();
app.MapGet("/v2/", () => TypedResults.Ok());
app.Run();
