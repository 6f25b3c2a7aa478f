// Runs the unmodified Durable Streams server conformance suite (its own test file, from node_modules) against the
// server named by CONFORMANCE_TEST_URL, and writes every test's result as JSON for the .NET harness to read.
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    root: ".",
    include: ["node_modules/@durable-streams/server-conformance-tests/dist/test-runner.js"],
    exclude: [],
    reporters: ["default", "json"],
    outputFile: { json: process.env.CONFORMANCE_RESULTS ?? "results.json" },
    watch: false,
    testTimeout: 30_000,
  },
})
