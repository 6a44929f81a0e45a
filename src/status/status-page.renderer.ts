import { RecentCheck } from '../health/health-snapshot.repository';
import { ServiceStatus, SnapshotStatus } from '../services/service.entity';

/** One check on a service's timeline (its colour is what the check observed). */
export type TimelineCell = RecentCheck;

/** One row of the status page. */
export interface StatusRow {
  slug: string;
  displayName: string;
  moduleId: string | null;
  /** The effective status (`unknown` before the first check). */
  status: ServiceStatus;
  observedStatus: SnapshotStatus | null;
  statusMessage: string | null;
  since: string | null;
  latencyMs: number | null;
  checkedAt: string | null;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  flapping: boolean;
  /** Oldest first. */
  timeline: TimelineCell[];
}

export interface StatusPageModel {
  /** The registry index the page was read at (the script watches from it). */
  index: number;
  rows: StatusRow[];
  /** Every module with a service, for the filter. */
  modules: string[];
  filters: { module: string | null; status: ServiceStatus | null };
  /** Cells per timeline. */
  timelineLength: number;
  /** Where the page's script is served. */
  scriptPath: string;
}

const STATUS_ORDER: ServiceStatus[] = ['healthy', 'degraded', 'unreachable', 'unknown'];

/**
 * The status page as HTML: complete and readable without JavaScript (a table, a GET form for
 * the filters, links to each service's history), styled inline, with no external asset but the
 * app's own script, which keeps it up to date. Pure: the same model gives the same bytes, so
 * the page's ETag changes only when what it shows does.
 */
export function renderStatusPage(model: StatusPageModel): string {
  const counts = STATUS_ORDER.map((status) => `${model.rows.filter((row) => row.status === status).length} ${status}`).join(', ');
  const filtered = model.filters.module !== null || model.filters.status !== null;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Service status</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Service status</h1>
<form class="filters" method="get" action="/status">
<label>Module <select name="module">${option('', 'All modules', model.filters.module ?? '')}${model.modules
    .map((module) => option(module, module, model.filters.module ?? ''))
    .join('')}</select></label>
<label>Status <select name="status">${option('', 'All statuses', model.filters.status ?? '')}${STATUS_ORDER.map((status) =>
    option(status, status, model.filters.status ?? ''),
  ).join('')}</select></label>
<button type="submit">Filter</button>${filtered ? ' <a href="/status">Clear filters</a>' : ''}
</form>
<p id="live" class="live" hidden></p>
</header>
<main id="board" data-index="${model.index}">
<p class="summary">${model.rows.length} service${model.rows.length === 1 ? '' : 's'}${filtered ? ' matching the filters' : ''}: ${counts}. Timelines show the last ${model.timelineLength} checks, oldest on the left; a cell's colour is what that check observed.</p>
${model.rows.length === 0 ? '<p class="empty">No service matches.</p>' : table(model.rows)}
<p class="index">Registry index ${model.index}.</p>
</main>
<script src="${escape(model.scriptPath)}" defer></script>
</body>
</html>
`;
}

function table(rows: StatusRow[]): string {
  return `<table>
<thead><tr><th scope="col">Service</th><th scope="col">Module</th><th scope="col">Status</th><th scope="col">Since</th><th scope="col">Latency</th><th scope="col">Recent checks</th><th scope="col">History</th></tr></thead>
<tbody>
${rows.map(row).join('\n')}
</tbody>
</table>`;
}

function row(service: StatusRow): string {
  const slug = escape(service.slug);
  const history = `/services/${encodeURIComponent(service.slug)}/health`;
  return `<tr id="service-${slug}" data-slug="${slug}" data-status="${service.status}">
<th scope="row"><span class="name">${escape(service.displayName)}</span><br><code>${slug}</code></th>
<td>${service.moduleId === null ? '<span class="muted">external</span>' : escape(service.moduleId)}</td>
<td>${statusCell(service)}</td>
<td>${service.since === null ? '<span class="muted">–</span>' : `<time datetime="${service.since}">${formatTime(service.since)}</time>`}</td>
<td class="number">${service.latencyMs === null ? '<span class="muted">–</span>' : `${service.latencyMs} ms`}</td>
<td>${timeline(service.timeline)}</td>
<td><a href="${history}">history</a> · <a href="${history}?transitions=true">transitions</a></td>
</tr>`;
}

function statusCell(service: StatusRow): string {
  const parts = [`<span class="badge ${service.status}">${service.status}</span>`];
  if (service.flapping) parts.push('<span class="badge flapping" title="The observed status changed more than 3 times in the last 10 checks">flapping</span>');
  if (service.observedStatus !== null && service.observedStatus !== service.status) {
    const counter = service.observedStatus === 'healthy' ? `${service.consecutiveSuccesses} success` : `${service.consecutiveFailures} failure`;
    const plural = (service.observedStatus === 'healthy' ? service.consecutiveSuccesses : service.consecutiveFailures) === 1 ? '' : 's';
    parts.push(`<br><span class="observed">last check: ${service.observedStatus} (${counter}${plural} in a row)</span>`);
  }
  if (service.statusMessage) parts.push(`<br><span class="message">${escape(service.statusMessage)}</span>`);
  return parts.join(' ');
}

function timeline(cells: TimelineCell[]): string {
  if (cells.length === 0) return '<span class="muted">not checked yet</span>';
  const summary = STATUS_ORDER.slice(0, 3)
    .map((status) => [status, cells.filter((cell) => cell.observedStatus === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  const items = cells
    .map((cell) => {
      const title = `${formatTime(cell.checkedAt.toISOString())}: ${cell.observedStatus}${cell.latencyMs === null ? '' : `, ${cell.latencyMs} ms`}${
        cell.statusMessage ? ` (${cell.statusMessage})` : ''
      }; status ${cell.status}`;
      return `<li class="cell ${cell.observedStatus}" title="${escape(title)}"></li>`;
    })
    .join('');
  return `<ol class="timeline" aria-label="last ${cells.length} checks: ${summary}">${items}</ol><span class="visually-hidden">${summary}</span>`;
}

function option(value: string, label: string, selected: string): string {
  return `<option value="${escape(value)}"${value === selected ? ' selected' : ''}>${escape(label)}</option>`;
}

/** `2026-11-28 06:40:12 UTC`: stable (no "3 minutes ago" that would change the page's bytes). */
function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** Text and attribute values as HTML. */
export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 1.5rem; }
h1 { margin: 0 0 .75rem; font-size: 1.5rem; }
.filters { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
.live { font-size: .85rem; color: #2e7d32; }
.live.offline { color: #c62828; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid #8884; }
thead th { font-size: .85rem; }
.number { text-align: right; white-space: nowrap; }
.muted, .observed, .message, .index { color: #777; font-size: .85rem; }
.message { display: inline-block; max-width: 28rem; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .6rem; font-size: .85rem; color: #fff; background: #757575; }
.badge.healthy { background: #2e7d32; }
.badge.degraded { background: #b26a00; }
.badge.unreachable { background: #c62828; }
.badge.flapping { background: #6a1b9a; }
.timeline { display: flex; gap: 2px; list-style: none; margin: 0; padding: 0; }
.cell { width: 7px; height: 1.4rem; border-radius: 1px; background: #757575; }
.cell.healthy { background: #43a047; }
.cell.degraded { background: #f9a825; }
.cell.unreachable { background: #e53935; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;
