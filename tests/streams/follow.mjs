// Follows one Durable Stream with the unmodified @durable-streams/client, as any consumer would: from FOLLOW_OFFSET,
// live, until FOLLOW_COUNT JSON messages (or, for a text stream, FOLLOW_COUNT characters) have arrived. Prints each
// batch as a line `batch <offset> <json items or text>` when it arrives, and `done` at the end, for the .NET harness
// (tests/Switchboard.Conformance.Tests/DurableStreamsClientTests.cs). FOLLOW_TOKEN, when set, is sent as a bearer;
// FOLLOW_PROGRESS, when set, names a file that gets a line per batch.
import { appendFileSync } from "node:fs"
import { stream } from "@durable-streams/client"

const url = process.env.FOLLOW_URL
const count = Number(process.env.FOLLOW_COUNT)
const text = process.env.FOLLOW_TEXT === "1"
const headers = process.env.FOLLOW_TOKEN ? { Authorization: `Bearer ${process.env.FOLLOW_TOKEN}` } : {}
const controller = new AbortController()
const res = await stream({
  url,
  headers,
  offset: process.env.FOLLOW_OFFSET ?? "-1",
  live: process.env.FOLLOW_LIVE === "true" || process.env.FOLLOW_LIVE === undefined ? true : process.env.FOLLOW_LIVE,
  signal: controller.signal,
  backoffOptions: { initialDelay: 50, maxDelay: 500, multiplier: 1.5, maxRetries: 1000 },
})

let seen = 0
await new Promise((resolve, reject) => {
  const onBatch = (offset, payload, n) => {
    seen += n
    process.stdout.write(`batch ${offset} ${payload}\n`)
    if (process.env.FOLLOW_PROGRESS) {
      appendFileSync(process.env.FOLLOW_PROGRESS, `${seen}\n`) // how far it got, for a harness that waits on it
    }
    if (seen >= count) {
      resolve()
    }
  }

  if (text) {
    res.subscribeText(async (chunk) => onBatch(chunk.offset, JSON.stringify(chunk.text), chunk.text.length))
  } else {
    res.subscribeJson(async (batch) => onBatch(batch.offset, JSON.stringify(batch.items), batch.items.length))
  }

  res.closed?.catch?.(reject)
})

process.stdout.write("done\n")
controller.abort()
process.exit(0)
