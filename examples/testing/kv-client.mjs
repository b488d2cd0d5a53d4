// examples/testing/kv-client.mjs — the client: one request, given up after a timeout.
//   node kv-client.mjs URL [VALUE]     GET URL, or PUT VALUE there; prints the answer; exit 1 on failure
const [url, value] = process.argv.slice(2);
try {
  const res = await fetch(url, { method: value === undefined ? 'GET' : 'PUT', body: value, signal: AbortSignal.timeout(1000) });
  process.stdout.write(await res.text());
  process.exitCode = res.ok ? 0 : 1;
} catch (e) {
  console.error(`kv-client: ${url}: ${e.cause?.code ?? e.name}`);
  // Now: a connection still trying (its SYNs dropped) would keep the process alive for its own timeout.
  process.exit(1);
}
