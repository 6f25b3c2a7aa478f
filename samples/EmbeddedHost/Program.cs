using EmbeddedHost;

var builder = WebApplication.CreateBuilder(args);

// Switchboard reads its settings from the "Switchboard" section (appsettings.json, environment variables such as
// Switchboard__Sockets__MaxConnections, or the command line), and keeps its data in SQLite under Switchboard:DataDirectory
// (Switchboard__DataDirectory, --Switchboard:DataDirectory=/var/lib/app). A setting out of range stops start-up with a
// line naming it.
builder.Services.AddSwitchboard(builder.Configuration.GetSection("Switchboard"))
    .UseSqlite(sqlite => sqlite.DataDirectory = builder.Configuration["Switchboard:DataDirectory"] ?? "data");
builder.Services.AddSingleton<JobRunner>();

var app = builder.Build();

app.MapGet("/", () => "Embedded host. POST /jobs {\"name\": \"…\", \"steps\": 3} starts a job; Switchboard is at /switchboard.");
app.MapPost("/jobs", JobEndpoints.StartAsync);
app.MapPost("/jobs/{id}/cancel", JobEndpoints.CancelAsync);

// The whole Switchboard surface (HTTP API, Phoenix socket, SSE, health, OpenAPI) under one prefix.
app.MapSwitchboard(JobEndpoints.SwitchboardPrefix);

app.Run();
