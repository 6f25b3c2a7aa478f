using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard webhooks disable|enable</c> write back only over the version they read, so someone else's edit of the
/// endpoint is kept, whether it came before the read or between the read and the write.
/// </summary>
public sealed partial class WebhooksCommandTests
{
    [Fact]
    public async Task DisableKeepsAnEditMadeBeforeItsRead()
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new SwitchboardClient(server.BaseAddress);
        var url = server.BaseAddress.ToString();
        var created = await client.CreateWebhookAsync(new WebhookSpec(Down, Id: "kept"));
        var edited = await client.ReplaceWebhookAsync("kept", new WebhookSpec("http://127.0.0.1:9/edited", Labels: new Dictionary<string, string> { ["team"] = "red" }),
            created.Version);

        await RunOkAsync("Disabled kept (cursor ", "webhooks", "disable", "kept", "--url", url);

        var now = (await client.GetWebhookAsync("kept"))!;
        (now.Url, now.Labels["team"], now.Enabled, now.Version).ShouldBe(("http://127.0.0.1:9/edited", "red", false, edited!.Version + 1));
    }

    [Fact]
    public async Task DisableReadsAgainWhenTheEndpointChangedBetweenItsReadAndItsWrite()
    {
        // The first PUT the server receives is preceded, in the server itself, by another client's PUT of a new url: the
        // command's write then expects a version that is gone, and must read again rather than put the old url back.
        var interleaved = 0;
        await using var server = await SwitchboardServer.StartAsync(services: s => s.AddSingleton<IStartupFilter>(new EditBeforeFirstPut(async context =>
        {
            if (Interlocked.Exchange(ref interleaved, 1) == 0)
            {
                using var other = new HttpClient { BaseAddress = new Uri($"{context.Request.Scheme}://{context.Request.Host}") };
                (await other.PutAsJsonAsync(context.Request.Path.Value, new { url = "http://127.0.0.1:9/concurrent" })).EnsureSuccessStatusCode();
            }
        })));
        using var client = new SwitchboardClient(server.BaseAddress);
        await client.CreateWebhookAsync(new WebhookSpec(Down, Id: "raced"));

        await RunOkAsync("Disabled raced (cursor ", "webhooks", "disable", "raced", "--url", server.BaseAddress.ToString());

        interleaved.ShouldBe(1);
        var now = (await client.GetWebhookAsync("raced"))!;
        (now.Url, now.Enabled, now.Version).ShouldBe(("http://127.0.0.1:9/concurrent", false, 3L));
    }

    /// <summary>Runs <paramref name="edit"/> before each PUT the server handles (the edit itself makes sure it runs once).</summary>
    private sealed class EditBeforeFirstPut(Func<HttpContext, Task> edit) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, following) =>
            {
                if (HttpMethods.IsPut(context.Request.Method))
                {
                    await edit(context);
                }

                await following(context);
            });
            next(app);
        };
    }
}
