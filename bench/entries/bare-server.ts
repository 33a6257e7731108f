import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

/**
 * Configuration (e): a bare Node HTTP server that reads each request and answers the bytes the
 * real gateway answered for that workload — the ceiling of one Node process on this machine.
 * `node bare-server.js <port> <responses.json>`; the workload is named by `x-bench-workload`.
 */
const [port, file] = process.argv.slice(2);
const responses = new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v)]));
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = responses.get(String(req.headers['x-bench-workload'])) ?? Buffer.from('{"data":{"__typename":"Query"}}');
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
}).listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
