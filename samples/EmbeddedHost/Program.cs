using EmbeddedHost;

var builder = WebApplication.CreateBuilder(args);

// Switchboard reads its settings from the "Switchboard" section: appsettings.json, environment variables
// (Switchboard__DataDirectory) or the command line (--Switchboard:DataDirectory=/var/lib/app).
builder.Services.AddSwitchboard(options => builder.Configuration.GetSection("Switchboard").Bind(options));
builder.Services.AddSingleton<JobRunner>();

var app = builder.Build();

app.MapGet("/", () => "Embedded host. POST /jobs {\"name\": \"…\", \"steps\": 3} starts a job; Switchboard is at /switchboard.");
app.MapPost("/jobs", JobEndpoints.StartAsync);
app.MapPost("/jobs/{id}/cancel", JobEndpoints.CancelAsync);

// The whole Switchboard surface (HTTP API, Phoenix socket, SSE, health, OpenAPI) under one prefix.
app.MapSwitchboard(JobEndpoints.SwitchboardPrefix);

app.Run();
