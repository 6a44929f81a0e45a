#!/usr/bin/env node
// Whether dist/ was compiled from the sources as they are now, so the npm scripts that run
// the compiled CLI or app (`backfill:service-registry`, `migrate`, `start`, …) skip the
// ~10 s TypeScript build when nothing changed.
//
//   node scripts/dist-freshness.mjs begin    (npm run build, before compiling) note the sources
//   node scripts/dist-freshness.mjs done     (npm run build, after compiling)  dist/ matches them
//   node scripts/dist-freshness.mjs ensure   build (npm run build) unless dist/ matches the sources
//   node scripts/dist-freshness.mjs check    exit 0 if dist/ matches the sources, 1 (and why) if not
//
// "Matches" means: the same source files (src/, migrations/, the tsconfig files, the
// lockfile), each with the size and modification time it had when that build began. A file
// added, removed, edited (even during the build) or restored from elsewhere makes dist/ stale.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.sources.json');
const PENDING = join(DIST, '.sources.pending.json');
const FILES = ['tsconfig.json', 'tsconfig.build.json', 'migrations/tsconfig.json', 'package-lock.json'];
const FOLDERS = ['src', 'migrations'];

function walk(folder, found) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) walk(path, found);
    else if (entry.name.endsWith('.ts')) found.push(path);
  }
}

/** `{ "src/main.ts": [size, mtimeMs], … }` for every input of the build. */
function snapshot() {
  const paths = FILES.map((file) => join(ROOT, file)).filter((path) => existsSync(path));
  for (const folder of FOLDERS) walk(join(ROOT, folder), paths);
  const sources = {};
  for (const path of paths.sort()) {
    const { size, mtimeMs } = statSync(path);
    sources[relative(ROOT, path)] = [size, mtimeMs];
  }
  return sources;
}

/** Why dist/ does not match the sources, or null when it does. */
function staleness() {
  if (!existsSync(STAMP)) return existsSync(DIST) ? 'dist/ was not built by `npm run build`' : 'there is no dist/';
  let built;
  try {
    built = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return `${relative(ROOT, STAMP)} is unreadable`;
  }
  const now = snapshot();
  for (const [path, [size, mtimeMs]] of Object.entries(now)) {
    const before = built[path];
    if (!before) return `${path} is new`;
    if (before[0] !== size || before[1] !== mtimeMs) return `${path} changed`;
  }
  const removed = Object.keys(built).find((path) => !(path in now));
  return removed ? `${removed} was removed` : null;
}

const command = process.argv[2];
switch (command) {
  case 'begin':
    mkdirSync(DIST, { recursive: true });
    writeFileSync(PENDING, JSON.stringify(snapshot()));
    break;
  case 'done':
    renameSync(PENDING, STAMP);
    break;
  case 'check': {
    const reason = staleness();
    if (reason) process.stderr.write(`dist/ is out of date: ${reason}\n`);
    process.exitCode = reason ? 1 : 0;
    break;
  }
  case 'ensure': {
    const reason = staleness();
    if (reason) {
      process.stderr.write(`dist/ is out of date (${reason}): npm run build\n`);
      const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
      process.exitCode = build.status ?? 1;
    }
    break;
  }
  default:
    process.stderr.write('usage: node scripts/dist-freshness.mjs begin|done|check|ensure\n');
    process.exitCode = 2;
}
