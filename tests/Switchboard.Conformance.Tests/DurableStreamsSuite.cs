using System.Diagnostics;
using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// Runs the official Durable Streams server conformance suite (npm <c>@durable-streams/server-conformance-tests</c>,
/// pinned in tests/streams/package-lock.json and installed by the build) against a server, under vitest, and reads the
/// result of every test from vitest's JSON report.
/// </summary>
internal static class DurableStreamsSuite
{
    /// <summary>The suite's folder: its package.json, lock file and vitest config.</summary>
    public static string Dir => Path.Combine(RepoPaths.Root, "tests", "streams");

    /// <summary>
    /// Runs the whole suite against <paramref name="server"/> (the origin, e.g. <c>http://127.0.0.1:5080</c>) and returns its
    /// results. Gives up, killing vitest, once it has printed nothing for <paramref name="quiet"/>: the verbose reporter
    /// prints each test as it ends, so a stuck test fails while a slow run on a loaded machine may take what it needs.
    /// </summary>
    public static async Task<SuiteResult> RunAsync(Uri server, TimeSpan quiet)
    {
        var vitest = Path.Combine(Dir, "node_modules", "vitest", "vitest.mjs");
        if (!File.Exists(vitest))
        {
            throw new InvalidOperationException($"{vitest} is missing: the build runs `npm ci` in tests/streams (tests/streams/Streams.targets).");
        }

        using var results = new TempDirectory();
        var report = Path.Combine(results.Path, "results.json");
        var start = new ProcessStartInfo("node") { WorkingDirectory = Dir };
        foreach (var arg in new[] { vitest, "run", "--config", "vitest.config.mjs" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CONFORMANCE_TEST_URL"] = server.GetLeftPart(UriPartial.Authority);
        start.Environment["CONFORMANCE_RESULTS"] = report;
        start.Environment["NO_COLOR"] = "1";
        var (_, output) = await QuietBoundedProcess.RunAsync(start, quiet, "the Durable Streams conformance suite needs Node.js (.ci/run installs it).");
        if (!File.Exists(report))
        {
            throw new InvalidOperationException("vitest wrote no report; its output:\n" + output);
        }

        return SuiteResult.Read(await File.ReadAllTextAsync(report), output);
    }
}

/// <summary>Every test of one run, by vitest's status (<c>passed</c>, <c>failed</c>, <c>skipped</c>, <c>pending</c>, <c>todo</c>).</summary>
internal sealed record SuiteResult(IReadOnlyList<SuiteTest> Tests, string Output)
{
    public IEnumerable<SuiteTest> Failed => Tests.Where(t => t.Status is not ("passed" or "skipped" or "pending" or "todo"));

    public int Passed => Tests.Count(t => t.Status == "passed");

    public int Skipped => Tests.Count(t => t.Status is "skipped" or "pending" or "todo");

    /// <summary>A line per failed test: its full name and the first lines of its failure.</summary>
    public string Describe() => string.Join('\n', Failed.Select(t => $"- {t.Name} ({t.Status}): {t.Failure}"));

    public static SuiteResult Read(string json, string output)
    {
        using var document = JsonDocument.Parse(json);
        var tests = new List<SuiteTest>();
        foreach (var file in document.RootElement.GetProperty("testResults").EnumerateArray())
        {
            foreach (var test in file.GetProperty("assertionResults").EnumerateArray())
            {
                var failure = test.TryGetProperty("failureMessages", out var messages) && messages.GetArrayLength() > 0
                    ? string.Join(' ', (messages[0].GetString() ?? "").Split('\n').Take(3)).Trim()
                    : "";
                tests.Add(new SuiteTest(test.GetProperty("fullName").GetString()!, test.GetProperty("status").GetString()!, failure));
            }
        }

        return new SuiteResult(tests, output);
    }
}

/// <summary>One test of the suite.</summary>
internal sealed record SuiteTest(string Name, string Status, string Failure);
