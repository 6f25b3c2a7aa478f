// Runs the unmodified Durable Streams server conformance suite (its own test file, from node_modules) against the
// server named by CONFORMANCE_TEST_URL, printing each test as it ends and writing every result as JSON to
// CONFORMANCE_RESULTS for the .NET harness (tests/Switchboard.Conformance.Tests/DurableStreamsConformanceTests.cs).
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    root: ".",
    include: ["node_modules/@durable-streams/server-conformance-tests/dist/test-runner.js"],
    exclude: [],
    reporters: ["verbose", "json"],
    outputFile: { json: process.env.CONFORMANCE_RESULTS ?? "results.json" },
    watch: false,
    // Vitest's default of 5 s per test is a bound on the client, not on the server: some of the suite's tests are
    // CPU-bound in Node (one checks 102,400 bytes with one expect() each) and take longer than that on two shared,
    // loaded cores. The suite's own longer bounds (long-polls, TTLs) are set per test and stay as they are; the
    // server's long-poll timeout (3 s by default) is tested by the suite's own tests whatever this says.
    testTimeout: 30_000,
  },
})
