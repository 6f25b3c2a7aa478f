using Switchboard.Server.Security;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>The safe default: loopback needs nothing; any other address needs API keys or an explicit opt-out.</summary>
public sealed class ExposureTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://127.1.2.3:80", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("https://[::1]:443", true)]
    [InlineData("http://unix:/run/switchboard.sock", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://10.0.0.5:5080", false)]
    [InlineData("http://switchboard.internal:5080", false)]
    public void LoopbackIsRecognised(string url, bool loopback) => ListenAddresses.IsLoopback(url).ShouldBe(loopback);

    [Fact]
    public async Task AnEmbeddedServerOnAllInterfacesWithoutKeysRefusesToRun()
    {
        var ex = await Should.ThrowAsync<InvalidOperationException>(() => SwitchboardServer.StartAsync(urls: "http://0.0.0.0:0"));
        var message = ex.ToString();
        message.ShouldContain("SWITCHBOARD_API_KEYS");
        message.ShouldContain("--insecure");
    }

    [Fact]
    public async Task KeysOrAnExplicitOptOutLetItRun()
    {
        await using (var withKeys = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys(Secured.WriteKey), urls: "http://0.0.0.0:0"))
        {
            using var http = withKeys.HttpWithKey(Secured.WriteKey);
            (await http.GetAsync("/api/summary")).IsSuccessStatusCode.ShouldBeTrue();
        }

        await using var insecure = await SwitchboardServer.StartAsync(o => o.Security.AllowInsecure = true, urls: "http://0.0.0.0:0");
        (await insecure.Http.GetAsync("/api/summary")).IsSuccessStatusCode.ShouldBeTrue();
        insecure.Logs.Dump().ShouldContain("with auth off (--insecure)");
    }
}
