using Tcma.Functions;

var builder = WebApplication.CreateBuilder(args);
builder.AddTcma();

var app = builder.Build();
app.MapTcma();
app.Run();

public partial class Program;
