using Tcma.Functions;
using Tcma.Functions.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddTcma();

var app = builder.Build();
// `Tcma.Functions generate-metadata <dir>` writes host.json and the function folders, then exits.
if (FunctionMetadata.IsCommand(args)) return FunctionMetadata.RunCommand(app.Services, args);
app.MapTcma();
app.Run();
return 0;

public partial class Program;
