// Health endpoints for the polling benchmarks, in a process of their own: every path answers
// 200 `ok` at once (test/support/stub-targets.ts's `/ok/…`), except `/flip/…`, which answers
// 500 and 200 in turn (per path): a target whose every check changes its observed status.
// Loopback only.
//
//   node bench/stub-target-server.mjs PORT
import { createServer } from 'node:http';

let answered = 0;
const flips = new Map();
createServer((request, response) => {
  answered += 1;
  if (request.url.startsWith('/flip/')) {
    const failing = !flips.get(request.url);
    flips.set(request.url, failing);
    if (failing) {
      response.writeHead(500, { 'Content-Type': 'text/plain', 'Content-Length': 4 });
      response.end('down');
      return;
    }
  }
  response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
  response.end('ok');
}).listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('listening'));
process.on('message', (message) => {
  if (message === 'count') process.send?.({ answered });
});
