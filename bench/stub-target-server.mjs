// Health endpoints for the polling benchmarks, in a process of their own: every path answers
// 200 `ok` at once (test/support/stub-targets.ts's `/ok/…`). Loopback only.
//
//   node bench/stub-target-server.mjs PORT
import { createServer } from 'node:http';

let answered = 0;
createServer((request, response) => {
  answered += 1;
  response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
  response.end('ok');
}).listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('listening'));
process.on('message', (message) => {
  if (message === 'count') process.send?.({ answered });
});
