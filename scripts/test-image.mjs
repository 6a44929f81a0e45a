#!/usr/bin/env node
// npm run test:image: the container image built from the Dockerfile and run the way the
// runbook's cluster runs it, on this machine. Opt-in (not part of `npm test`): it needs root
// (or docker and mmdebstrap already installed and dockerd running) and takes minutes.
//
//   1. docker.io and mmdebstrap installed with apt-get if missing; dockerd started with the
//      vfs storage driver and no bridge network if none is running (stopped again at the end).
//   2. A base image made here, since no image registry is reachable: `mmdebstrap --variant=minbase
//      bookworm` plus this machine's Node (the binary running this script, npm, and npm's CA
//      settings), imported with `docker import`. Kept between runs (one tag per Node version).
//   3. `docker build --build-arg BASE_IMAGE=<that base>`; the image's size is printed.
//   4. The runbook's cluster steps with containers on host networking (never a bridge), each
//      as the chart runs it (user 1000, read-only root filesystem, a tmpfs /tmp, no
//      capabilities, LOG_FORMAT=json), against this machine's Postgres (127.0.0.1:5432, a
//      database made for the run and dropped after it) and Redis (127.0.0.1:6379): the
//      migration Job's command, two app containers on two ports, the backfill from a
//      container, identical /services on both, a PATCH and a health check on one seen on the
//      other, JSON log lines with the request id, `docker stop` ending a replica within its
//      grace period with exit 0 or 143, and a zero-config container (embedded Postgres in
//      the declared writable /app/.data).
//
// Anything missing or wrong fails the run (exit 1, with what was missing); nothing is skipped.
// Environment: DATABASE_URL (a superuser URL on the Postgres server, default
// postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL (default redis://127.0.0.1:6379),
// TEST_IMAGE_TAG (default core-api:test-image).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const IMAGE = process.env.TEST_IMAGE_TAG || 'core-api:test-image';
const BASE_IMAGE = `core-api-test-base:node${process.versions.node}-bookworm`;
const RUN_ID = `${process.pid}-${Date.now()}`;
const TOKEN = `test-image-${RUN_ID}`;
const GRACE_SECONDS = 30; // the chart's terminationGracePeriodSeconds
const SLUG = 'observatory-dashboard';
/** How the chart runs every container (podSecurityContext + securityContext), on host networking. */
const AS_IN_THE_CHART = ['--network', 'host', '--user', '1000:1000', '--read-only', '--tmpfs', '/tmp:size=64m', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];

const started = Date.now();
const containers = [];
let scratchDatabase = null;
let startedDaemon = null;

class Missing extends Error {}
/** Thrown from an `eventually` probe: give up at once (a container that exited will not recover). */
class Fatal extends Error {}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function ok(message) {
  console.log(`ok   ${message}`);
}

/** Runs a command; resolves with its output, rejects (with the output) on a non-zero exit. */
function run(command, args, { input, env, quiet = true, logFile } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const log = logFile ? openSync(logFile, 'a') : null;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (log !== null) writeFileSync(log, chunk);
      if (!quiet) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (log !== null) writeFileSync(log, chunk);
    });
    if (input !== undefined) child.stdin.end(input);
    child.on('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (log !== null) closeSync(log);
      if (code === 0) resolve({ stdout, stderr });
      else {
        const error = new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${(stderr || stdout).trim().split('\n').slice(-30).join('\n')}`);
        Object.assign(error, { code, stdout, stderr });
        reject(error);
      }
    });
  });
}

function has(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function eventually(what, probe, timeoutMs) {
  const begin = Date.now();
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last === true) return Date.now() - begin;
    } catch (error) {
      if (error instanceof Fatal || error instanceof Missing) throw error;
      last = error.message;
    }
    if (Date.now() - begin > timeoutMs) throw new Error(`${what}: not within ${seconds(timeoutMs)} (last: ${typeof last === 'string' ? last : JSON.stringify(last)})`);
    await sleep(100);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---- 1. tools and the docker daemon ----

async function ensureTools() {
  const missing = [
    ['docker', 'docker.io'],
    ['dockerd', 'docker.io'],
    ['mmdebstrap', 'mmdebstrap'],
  ].filter(([command]) => !has(command));
  if (missing.length === 0) return ok('docker, dockerd and mmdebstrap are installed');
  const packages = [...new Set(missing.map(([, name]) => name))];
  if (process.getuid?.() !== 0) {
    throw new Missing(`${missing.map(([command]) => command).join(', ')} not found, and installing ${packages.join(' ')} needs root (apt-get)`);
  }
  console.log(`...  apt-get install ${packages.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-q'], { env });
  await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { env });
  const still = missing.filter(([command]) => !has(command)).map(([command]) => command);
  if (still.length > 0) throw new Missing(`${still.join(', ')} still not found after apt-get install ${packages.join(' ')}`);
  ok(`installed ${packages.join(' ')} with apt-get`);
}

async function daemonAnswers() {
  return run('docker', ['info', '--format', '{{.ServerVersion}} {{.Driver}}']).then(
    ({ stdout }) => stdout.trim(),
    () => null,
  );
}

async function ensureDaemon() {
  const running = await daemonAnswers();
  if (running) return ok(`dockerd is running (${running})`);
  if (process.getuid?.() !== 0) throw new Missing('dockerd is not running, and starting it needs root');
  const logFile = join(tmpdir(), `test-image-dockerd-${RUN_ID}.log`);
  const log = openSync(logFile, 'a');
  // No bridge network at all: every container of this test uses the host's network.
  const daemon = spawn('dockerd', ['--storage-driver=vfs', '--bridge=none', '--iptables=false', '--ip6tables=false'], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  startedDaemon = { child: daemon, logFile };
  const exited = new Promise((resolve) => daemon.once('exit', resolve));
  const took = await eventually(
    'dockerd answers',
    async () => {
      if (daemon.exitCode !== null) throw new Missing(`dockerd exited with ${daemon.exitCode}: ${readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n')}`);
      return (await daemonAnswers()) !== null;
    },
    60_000,
  ).catch((error) => {
    throw error instanceof Missing ? error : new Missing(`${error.message}; see ${logFile}`);
  });
  startedDaemon.exited = exited;
  ok(`started dockerd --storage-driver=vfs in ${seconds(took)} (log: ${logFile})`);
}

async function stopDaemon() {
  if (!startedDaemon) return;
  startedDaemon.child.kill('SIGTERM');
  await Promise.race([startedDaemon.exited, sleep(30_000)]);
}

// ---- 2. the base image ----

/** Where this machine's npm lives, and the CA file its configuration names (an intercepting proxy's, say). */
async function npmOfThisMachine() {
  const npmRoot = (await run('npm', ['root', '-g'])).stdout.trim();
  const npmDir = join(npmRoot, 'npm');
  if (!existsSync(join(npmDir, 'bin', 'npm-cli.js'))) throw new Missing(`npm not found at ${npmDir}`);
  const cafile = (await run('npm', ['config', 'get', 'cafile'])).stdout.trim();
  return { npmDir, cafile: cafile && cafile !== 'null' && cafile !== 'undefined' && existsSync(cafile) ? cafile : null };
}

/** The base runs this machine's Node and npm as the `node` user; null when it does, else what went wrong. */
async function baseImageProblem() {
  const expected = `${process.version} 1000`;
  return run('docker', ['run', '--rm', '--network', 'host', '--user', 'node', '--entrypoint', 'sh', BASE_IMAGE, '-c', 'echo "$(node --version) $(id -u)" && npm --version >/dev/null']).then(
    ({ stdout }) => (stdout.trim() === expected ? null : `printed "${stdout.trim()}", not "${expected}"`),
    (error) => error.message,
  );
}

async function ensureBaseImage() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major !== 20 || minor < 19) throw new Missing(`the base image takes this machine's Node, which must be 20.19 or newer 20.x (package.json engines); this is ${process.version}`);
  const cached = await run('docker', ['image', 'inspect', '--format', '{{.Size}}', BASE_IMAGE]).then(
    () => true,
    () => false,
  );
  if (cached) {
    const problem = await baseImageProblem();
    if (problem === null) return ok(`base image ${BASE_IMAGE} (kept from an earlier run)`);
    console.log(`...  the kept base image ${BASE_IMAGE} does not work (${problem}): making it again`);
    await run('docker', ['image', 'rm', '--force', BASE_IMAGE]);
  }

  const begin = Date.now();
  const { npmDir, cafile } = await npmOfThisMachine();
  const work = mkdtempSync(join(tmpdir(), 'test-image-base-'));
  try {
    const hooks = [
      'mkdir -p "$1/usr/local/bin" "$1/usr/local/lib/node_modules" "$1/usr/local/etc"',
      `upload ${process.execPath} /usr/local/bin/node`,
      'chmod 755 "$1/usr/local/bin/node"',
      `copy-in ${npmDir} /usr/local/lib/node_modules`,
      'ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"',
      'ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"',
      // The `node` user (uid 1000) of the official Node images, which the Dockerfile and the chart use.
      'chroot "$1" groupadd --gid 1000 node',
      'chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
      'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*',
    ];
    if (cafile) {
      // npm inside the build reaches the registry the way this machine's npm does.
      writeFileSync(join(work, 'npmrc'), 'cafile=/usr/local/etc/npm-ca.crt\n');
      hooks.push(`copy-in ${join(work, 'npmrc')} /usr/local/etc`, `upload ${cafile} /usr/local/etc/npm-ca.crt`);
    }
    if (process.execPath.includes(' ') || npmDir.includes(' ')) throw new Missing('the Node or npm path contains a space, which mmdebstrap hooks cannot take');
    const rootfs = join(work, 'rootfs.tar');
    console.log('...  mmdebstrap --variant=minbase bookworm (about a minute)');
    await run('mmdebstrap', [
      '--variant=minbase',
      ...['man', 'doc', 'locale', 'info'].map((folder) => `--dpkgopt=path-exclude=/usr/share/${folder}/*`),
      ...hooks.map((hook) => `--customize-hook=${hook}`),
      'bookworm',
      rootfs,
    ]);
    await run('docker', ['import', '--change', 'CMD ["node"]', '--message', `mmdebstrap minbase bookworm + node ${process.version}`, rootfs, BASE_IMAGE]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const problem = await baseImageProblem();
  if (problem !== null) {
    await run('docker', ['image', 'rm', '--force', BASE_IMAGE]).catch(() => undefined);
    throw new Error(`the base image made here does not run node and npm: ${problem}`);
  }
  ok(`base image ${BASE_IMAGE} made in ${seconds(Date.now() - begin)} (mmdebstrap minbase bookworm + this machine's node ${process.version})`);
}

// ---- 3. the image ----

async function imageSize(tag) {
  return Number((await run('docker', ['image', 'inspect', '--format', '{{.Size}}', tag])).stdout.trim());
}

/**
 * `docker build` with BuildKit where the client has it (built into docker.io's 20.10 client;
 * newer clients need the buildx plugin), else the classic builder. BuildKit matters on vfs:
 * the classic builder creates a container, so copies the whole file system, for every
 * instruction, and builds every stage. Host networking for npm ci, as there is no bridge.
 */
async function buildImage() {
  const begin = Date.now();
  const logFile = join(tmpdir(), `test-image-build-${RUN_ID}.log`);
  const args = ['build', '--network', 'host', '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--tag', IMAGE, '.'];
  const builders = [
    { client: 'docker', env: { DOCKER_BUILDKIT: '1' }, extra: ['--progress', 'plain'], name: 'BuildKit' },
    ...(existsSync('/usr/bin/docker') ? [{ client: '/usr/bin/docker', env: { DOCKER_BUILDKIT: '1' }, extra: ['--progress', 'plain'], name: 'BuildKit' }] : []),
    { client: 'docker', env: { DOCKER_BUILDKIT: '0' }, extra: [], name: 'the classic builder' },
  ];
  let used = null;
  for (const builder of builders) {
    console.log(`...  docker build with ${builder.name} (${builder.client}; log: ${logFile})`);
    try {
      await run(builder.client, [...args.slice(0, 1), ...builder.extra, ...args.slice(1)], { env: builder.env, logFile });
      used = builder;
      break;
    } catch (error) {
      // A client without BuildKit says so before building anything: try the next one.
      if (!/buildx|BuildKit is enabled but/i.test(`${error.stderr ?? ''}`)) throw error;
    }
  }
  const size = await imageSize(IMAGE);
  const base = await imageSize(BASE_IMAGE);
  const result = { size, buildMs: Date.now() - begin };
  ok(`built ${IMAGE} with ${used.name} in ${seconds(result.buildMs)}: ${(size / 1e6).toFixed(0)} MB (${((size - base) / 1e6).toFixed(0)} MB on top of the ${(base / 1e6).toFixed(0)} MB base)`);

  // What the final stage holds: compiled code and production packages, no sources, no dev tools.
  const { stdout } = await run('docker', [
    'run', '--rm', ...AS_IN_THE_CHART, '--entrypoint', 'sh', IMAGE, '-c',
    'id -u; ls /app | tr "\\n" " "; echo; for p in src test tsconfig.json node_modules/typescript node_modules/jest node_modules/ts-jest node_modules/supertest node_modules/@nestjs/testing node_modules/@types/jest node_modules/aws-cdk-lib; do test -e "/app/$p" && echo "present: $p"; done; test -f /app/dist/main.js && echo dist ok',
  ]);
  const [uid, listing, ...rest] = stdout.trim().split('\n');
  if (uid !== '1000') throw new Error(`the image runs as uid ${uid}, not 1000`);
  const present = rest.filter((line) => line.startsWith('present:'));
  if (present.length > 0 || !rest.includes('dist ok')) throw new Error(`the final stage holds ${present.join(', ') || 'no dist/main.js'} (/app: ${listing})`);
  ok(`the image runs as uid 1000; /app holds ${listing.trim()} (no sources, no dev dependencies)`);
  return result;
}

// ---- 4. the cluster steps ----

async function admin(sql) {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function redisPing(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(3_000, () => socket.destroy(new Error('timed out')));
    socket.on('error', reject);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      socket.end();
      resolve(data.toString().trim());
    });
  });
}

async function checkServers() {
  await admin('select 1').catch((error) => {
    throw new Missing(`Postgres at ${new URL(SERVER_URL).host} does not answer: ${error.message}`);
  });
  const pong = await redisPing(REDIS_URL).catch((error) => {
    throw new Missing(`Redis at ${new URL(REDIS_URL).host} does not answer: ${error.message}`);
  });
  if (pong !== '+PONG') throw new Missing(`Redis at ${new URL(REDIS_URL).host} answered ${pong} to PING`);
  scratchDatabase = `test_image_${RUN_ID.replace('-', '_')}`;
  await admin(`CREATE DATABASE ${scratchDatabase}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${scratchDatabase}`;
  ok(`Postgres ${url.host} (database ${scratchDatabase}, dropped at the end) and Redis ${new URL(REDIS_URL).host} answer`);
  return url.toString();
}

function envFlags(env) {
  return Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
}

async function startReplica(name, env) {
  const port = await freePort();
  const container = `core-api-${name}-${RUN_ID}`;
  await run('docker', ['run', '--detach', '--name', container, ...AS_IN_THE_CHART, ...envFlags({ ...env, PORT: port }), IMAGE]);
  containers.push(container);
  const replica = { name, container, port, url: `http://127.0.0.1:${port}` };
  const took = await eventually(
    `replica ${name} answers 200 on /readyz`,
    async () => {
      const state = (await run('docker', ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', container])).stdout.trim();
      if (state.startsWith('exited')) throw new Fatal(`container ${container} ${state}:\n${await logsOf(container, 20)}`);
      const response = await fetch(`${replica.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      return response.status === 200;
    },
    180_000,
  );
  return { ...replica, took };
}

async function logsOf(container, lines) {
  const { stdout, stderr } = await run('docker', ['logs', '--tail', String(lines), container]).catch((error) => error);
  return `${stdout ?? ''}${stderr ?? ''}`.trim();
}

async function call(replica, path, init = {}) {
  const response = await fetch(`${replica.url}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function clusterSteps(databaseUrl) {
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    SERVICE_REGISTRY_TOKEN: TOKEN,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    SHUTDOWN_DRAIN_MS: '2000',
    APPHUB_DISABLE_SERVICE_POLLING: '1',
  };

  // The pre-install/pre-upgrade Job: `node dist/cli.js migrate` with REDIS_URL=inline.
  const migrate = await run('docker', [
    'run', '--rm', ...AS_IN_THE_CHART, ...envFlags({ DATABASE_URL: databaseUrl, REDIS_URL: 'inline', LOG_LEVEL: 'info', LOG_FORMAT: 'json' }),
    '--entrypoint', 'node', IMAGE, 'dist/cli.js', 'migrate',
  ]);
  if (!/^Applied \d+ migration\(s\): /m.test(migrate.stdout)) throw new Error(`the migration Job printed: ${migrate.stdout}${migrate.stderr}`);
  ok(`migration Job: ${migrate.stdout.trim()}`);

  const [a, b] = await Promise.all([startReplica('a', env), startReplica('b', env)]);
  ok(`replicas a on :${a.port} and b on :${b.port} ready (${seconds(a.took)}, ${seconds(b.took)})`);

  const backfill = await run('docker', [
    'run', '--rm', ...AS_IN_THE_CHART, ...envFlags({ DATABASE_URL: databaseUrl, REDIS_URL, LOG_LEVEL: 'warn' }),
    '--entrypoint', 'node', IMAGE, 'dist/cli.js', 'backfill', '--path', 'modules/observatory/dist', '--module', 'observatory',
  ]);
  const summary = backfill.stdout.trim().split('\n').at(-1);
  if (!/^Module observatory@1: 2 services \(2 added/.test(summary)) throw new Error(`the backfill printed: ${backfill.stdout}${backfill.stderr}`);
  ok(`backfill from a container: ${summary}`);

  let listed;
  const tookList = await eventually(
    'both replicas list the observatory services, byte-identical',
    async () => {
      const [fromA, fromB] = await Promise.all([call(a, '/services'), call(b, '/services')]);
      listed = fromA;
      return fromA.status === 200 && fromA.text === fromB.text && fromA.text.includes(`"${SLUG}"`);
    },
    10_000,
  );
  ok(`/services byte-identical on a and b (${JSON.parse(listed.text).meta.total} services, ${listed.text.length} bytes, ${tookList} ms after the backfill)`);

  const requestId = `test-image-${RUN_ID}`;
  const patched = await call(a, `/services/${SLUG}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'X-Request-Id': requestId },
    body: JSON.stringify({ statusMessage: `patched on a ${RUN_ID}` }),
  });
  if (patched.status !== 200) throw new Error(`PATCH on a answered ${patched.status}: ${patched.text}`);
  if (patched.headers.get('x-request-id') !== requestId) throw new Error(`PATCH on a echoed X-Request-Id ${patched.headers.get('x-request-id')}`);
  const tookPatch = await eventually(
    'b shows the PATCH made on a',
    async () => JSON.parse((await call(b, `/services/${SLUG}`)).text).data.statusMessage === `patched on a ${RUN_ID}`,
    10_000,
  );
  ok(`PATCH on a visible on b after ${tookPatch} ms`);

  const checked = await call(a, `/services/${SLUG}/health-check`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
  if (checked.status !== 200 && checked.status !== 201) throw new Error(`health check on a answered ${checked.status}: ${checked.text}`);
  const snapshot = JSON.parse(checked.text).data;
  const tookHealth = await eventually(
    'b shows the health snapshot taken on a',
    async () => JSON.parse((await call(b, `/services/${SLUG}`)).text).data.health?.checkedAt === snapshot.checkedAt,
    10_000,
  );
  ok(`health check on a (${snapshot.status}) visible on b after ${tookHealth} ms`);

  // Logs a cluster can read: every line of a's output is one JSON object, the PATCH's among them.
  const logs = await run('docker', ['logs', a.container]);
  const lines = `${logs.stdout}${logs.stderr}`.trim().split('\n');
  const notJson = lines.filter((line) => {
    try {
      const record = JSON.parse(line);
      return !(record.level && record.time && 'message' in record);
    } catch {
      return true;
    }
  });
  if (notJson.length > 0) throw new Error(`a logged lines that are not JSON records: ${notJson.slice(0, 3).join(' | ')}`);
  const patchLine = lines.map((line) => JSON.parse(line)).find((record) => record.requestId === requestId && record.context === 'HTTP');
  if (!patchLine) throw new Error(`no log line of a carries requestId ${requestId}`);
  const startLine = lines.map((line) => JSON.parse(line)).find((record) => record.context === 'Bootstrap');
  ok(`a logged ${lines.length} JSON lines; the PATCH: "${patchLine.message}" (requestId ${patchLine.requestId}); the start: "${startLine?.message}"`);

  // `docker stop` sends SIGTERM to PID 1 (node), then SIGKILL after the grace period.
  const begin = Date.now();
  await run('docker', ['stop', '--time', String(GRACE_SECONDS), a.container]);
  const stopMs = Date.now() - begin;
  const exitCode = Number((await run('docker', ['inspect', '--format', '{{.State.ExitCode}}', a.container])).stdout.trim());
  if (exitCode !== 0 && exitCode !== 143) throw new Error(`replica a ended with exit code ${exitCode} after docker stop (137: killed at the end of the grace period):\n${await logsOf(a.container, 20)}`);
  ok(`docker stop (SIGTERM) ended replica a in ${seconds(stopMs)} (grace period ${GRACE_SECONDS} s, drain 2 s) with exit code ${exitCode}`);
  const afterStop = await call(b, '/services');
  if (afterStop.status !== 200) throw new Error(`b answered ${afterStop.status} after a stopped`);
  ok('b still serves /services');
}

/** No DATABASE_URL: the embedded Postgres keeps its data in /app/.data, a declared writable folder. */
async function zeroConfigStep() {
  const port = await freePort();
  const postgresPort = await freePort();
  const container = `core-api-zero-config-${RUN_ID}`;
  await run('docker', ['run', '--detach', '--init', '--name', container, ...AS_IN_THE_CHART, ...envFlags({ PORT: port, EMBEDDED_POSTGRES_PORT: postgresPort, LOG_FORMAT: 'json' }), IMAGE]);
  containers.push(container);
  const took = await eventually(
    'the zero-config container answers 200 on /readyz',
    async () => {
      const state = (await run('docker', ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', container])).stdout.trim();
      if (state.startsWith('exited')) throw new Fatal(`the zero-config container ${state}:\n${await logsOf(container, 20)}`);
      return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200;
    },
    180_000,
  );
  await run('docker', ['stop', '--time', String(GRACE_SECONDS), container]);
  const exitCode = Number((await run('docker', ['inspect', '--format', '{{.State.ExitCode}}', container])).stdout.trim());
  if (exitCode !== 0 && exitCode !== 143) throw new Error(`the zero-config container ended with exit code ${exitCode}:\n${await logsOf(container, 20)}`);
  ok(`read-only root filesystem, no DATABASE_URL: embedded Postgres in /app/.data, ready in ${seconds(took)}, stopped with exit code ${exitCode}`);
}

async function cleanUp() {
  for (const container of containers) await run('docker', ['rm', '--force', '--volumes', container]).catch(() => undefined);
  if (scratchDatabase) await admin(`DROP DATABASE IF EXISTS ${scratchDatabase} WITH (FORCE)`).catch(() => undefined);
  await stopDaemon();
}

async function main() {
  await ensureTools();
  await ensureDaemon();
  await ensureBaseImage();
  const build = await buildImage();
  const databaseUrl = await checkServers();
  await clusterSteps(databaseUrl);
  await zeroConfigStep();
  return build;
}

main()
  .then(async (build) => {
    await cleanUp();
    console.log(`test:image passed in ${seconds(Date.now() - started)} (image ${IMAGE}: ${(build.size / 1e6).toFixed(0)} MB, built in ${seconds(build.buildMs)})`);
  })
  .catch(async (error) => {
    console.error(`FAIL ${error instanceof Missing ? 'missing: ' : ''}${error.message}`);
    for (const container of containers) {
      const logs = await logsOf(container, 15);
      if (logs) console.error(`--- last lines of ${container}:\n${logs}`);
    }
    await cleanUp();
    process.exitCode = 1;
  });
