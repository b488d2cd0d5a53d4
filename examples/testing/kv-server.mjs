// examples/testing/kv-server.mjs — the software under test: a key-value store over HTTP.
//   node kv-server.mjs PORT        GET /KEY answers the value (404 if none); PUT /KEY stores the body
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 8080);
const store = new Map();
createServer((req, res) => {
  const key = decodeURIComponent((req.url ?? '/').slice(1));
  if (req.method === 'PUT') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      store.set(key, Buffer.concat(chunks).toString());
      res.end('stored\n');
    });
    return;
  }
  if (!store.has(key)) res.statusCode = 404;
  res.end(store.get(key) ?? '');
}).listen(port, () => console.log(`kv listening on port ${port}`));
