using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>
/// A JSON stream holds only text a strict parser reads: an append whose strings or property names are invalid UTF-8,
/// or hold a lone surrogate escape, is a 400 that says where, and appends nothing, so every later read stays JSON.
/// </summary>
public sealed class JsonStreamTextTests
{
    [Fact]
    public async Task AnAppendThatIsNotTextIs400AndEveryReadStaysStrictJson()
    {
        await using var server = await SwitchboardServer.StartAsync();
        (await server.Http.PutAsync("j", """[{"n":1}]""", "application/json")).Status.ShouldBe(201);
        var tail = (await server.Http.HeadAsync("j")).Header("Stream-Next-Offset");

        (byte[] Body, string Detail)[] refused =
        [
            ([.. "{\"text\":\"a"u8, 0xFF, .. "b\"}"u8], "the string at byte 8 is not valid UTF-8"),
            ([.. "[{\"n\":2},{\"k"u8, 0xC3, .. "\":1}]"u8], "the property name at byte 10 is not valid UTF-8"),
            ("""[{"n":2},"\ud800"]"""u8.ToArray(), "\\uD800, a lone surrogate"),
        ];
        foreach (var (body, detail) in refused)
        {
            using var append = new HttpRequestMessage(HttpMethod.Post, "/v1/stream/j") { Content = new ByteArrayContent(body) };
            append.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await server.Http.SendAsync(append).WaitAsync(TestTimeouts.Default);
            var text = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).ShouldBe(400, text);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain(detail);
        }

        (await server.Http.HeadAsync("j")).Header("Stream-Next-Offset").ShouldBe(tail, "nothing was appended");
        (await server.Http.AppendAsync("j", """{"s":"\ud83d\ude00 caf\u00e9"}""", "application/json")).Status.ShouldBe(204);
        var read = await server.Http.ReadAsync("j", "?offset=-1");
        using var messages = JsonDocument.Parse(read.Body);
        messages.RootElement.EnumerateArray().Select(m => m.GetRawText()).ShouldBe(["""{"n":1}""", """{"s":"\ud83d\ude00 caf\u00e9"}"""]);
        messages.RootElement[1].GetProperty("s").GetString().ShouldBe("\U0001F600 café", "a pair of escapes is text");
    }
}
