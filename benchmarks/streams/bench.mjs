// Durable Streams throughput, one server at a time, over loopback (docs/benchmarks.md "Durable Streams"):
//   append  — small appends (64 bytes) from P producers, one stream each, with idempotent producer headers
//   fanout  — one writer appending 1 KiB messages to one stream, R SSE readers of it: bytes delivered per second
//   catchup — a stream of C MiB (1 MiB appends), read from -1 to its tail, following Stream-Next-Offset
// Usage: node bench.mjs --base http://127.0.0.1:5080/v1/stream [--seconds 10] [--producers 100] [--readers 1000] [--catchup-mib 100]

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const base = args.base ?? "http://127.0.0.1:5080/v1/stream";
const seconds = Number(args.seconds ?? 10);
const producers = Number(args.producers ?? 100);
const readers = Number(args.readers ?? 1000);
const catchupMib = Number(args["catchup-mib"] ?? 100);
const run = `bench-${Date.now()}`;

async function create(path, contentType = "application/octet-stream") {
  const r = await fetch(`${base}/${path}`, { method: "PUT", headers: { "content-type": contentType } });
  if (r.status !== 201 && r.status !== 200) throw new Error(`create ${path}: ${r.status} ${await r.text()}`);
  return r.headers.get("stream-next-offset");
}

async function append(path, body, headers = {}) {
  const r = await fetch(`${base}/${path}`, { method: "POST", headers: { "content-type": "application/octet-stream", ...headers }, body });
  await r.arrayBuffer();
  if (r.status !== 200 && r.status !== 204) throw new Error(`append ${path}: ${r.status}`);
}

async function appendBench() {
  const payload = new Uint8Array(64).fill(97);
  await Promise.all(Array.from({ length: producers }, (_, p) => create(`${run}/p${p}`)));
  const until = performance.now() + seconds * 1000;
  let appends = 0;
  await Promise.all(Array.from({ length: producers }, async (_, p) => {
    for (let seq = 0; performance.now() < until; seq++) {
      await append(`${run}/p${p}`, payload, { "producer-id": `producer-${p}`, "producer-epoch": "0", "producer-seq": String(seq) });
      appends++;
    }
  }));
  return { appendsPerSecond: appends / seconds, bytesPerSecond: (appends * payload.length) / seconds };
}

async function fanoutBench() {
  const path = `${run}/fanout`;
  const start = await create(path);
  let delivered = 0;
  const stop = new AbortController();
  const connected = [];
  const reading = Array.from({ length: readers }, () => {
    let ready;
    connected.push(new Promise((resolve) => (ready = resolve)));
    return (async () => {
      try {
        const r = await fetch(`${base}/${path}?offset=${start}&live=sse`, { signal: stop.signal });
        ready();
        for await (const chunk of r.body) delivered += chunk.length;
      } catch {
        ready();
      }
    })();
  });
  await Promise.all(connected);
  const message = new Uint8Array(1024).fill(98);
  const began = performance.now();
  const until = began + seconds * 1000;
  let appended = 0;
  while (performance.now() < until) {
    await append(path, message);
    appended++;
  }

  const elapsed = (performance.now() - began) / 1000;
  stop.abort();
  await Promise.allSettled(reading);
  return { readers, appendedPerSecond: appended / elapsed, deliveredBytesPerSecond: delivered / elapsed };
}

async function catchupBench() {
  const path = `${run}/catchup`;
  await create(path);
  const mib = new Uint8Array(1024 * 1024).fill(99);
  for (let i = 0; i < catchupMib; i++) await append(path, mib);
  const began = performance.now();
  let offset = "-1";
  let bytes = 0;
  for (;;) {
    const r = await fetch(`${base}/${path}?offset=${offset}`);
    bytes += (await r.arrayBuffer()).byteLength;
    offset = r.headers.get("stream-next-offset");
    if (r.headers.get("stream-up-to-date") === "true") break;
  }

  const elapsed = (performance.now() - began) / 1000;
  if (bytes !== catchupMib * 1024 * 1024) throw new Error(`catch-up read ${bytes} bytes, expected ${catchupMib} MiB`);
  return { mib: catchupMib, seconds: elapsed, bytesPerSecond: bytes / elapsed };
}

const result = { base, seconds, append: await appendBench(), fanout: await fanoutBench(), catchup: await catchupBench() };
console.log(JSON.stringify(result));
