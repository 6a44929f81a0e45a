import { hostname } from 'node:os';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Agent, request } from 'undici';
import { healthConfig } from '../config/configuration';
import { BODY_EXCERPT_BYTES, classifyFailure, classifyResponse, HealthVerdict } from './health-status';

/** A service as the prober sees it. */
export interface HealthTarget {
  slug: string;
  baseUrl: string;
  healthEndpoint: string;
}

/** Why a check ran, recorded in the snapshot's metadata. */
export type CheckTrigger = 'schedule' | 'manual';

/** One finished check, ready to be stored as a snapshot. */
export interface ProbeResult extends HealthVerdict {
  target: HealthTarget;
  /** When the request was sent. */
  checkedAt: Date;
  /** Time until the answer's status line (or until the failure), in ms. */
  latencyMs: number;
  /** The answer's HTTP status; `null` when there was none. */
  statusCode: number | null;
  metadata: Record<string, unknown>;
}

/** The replica that ran a check (the pod name in Kubernetes), for operators reading snapshots. */
const CHECKER = `${hostname()}:${process.pid}`;

/** `baseUrl` + `healthEndpoint`, with exactly one slash between them. */
export function healthUrl(baseUrl: string, healthEndpoint: string): string {
  const path = healthEndpoint.startsWith('/') ? healthEndpoint : `/${healthEndpoint}`;
  return baseUrl.replace(/\/+$/, '') + path;
}

/**
 * Runs one HTTP GET against a service's health endpoint and classifies the outcome. Never
 * throws: every failure is a verdict. The whole exchange (connect, headers, body excerpt) is
 * bounded by `SERVICE_HEALTH_TIMEOUT_MS`. Redirects are not followed (a 3xx is degraded), and
 * each check uses a fresh connection so a refused or dead target is seen as such.
 */
@Injectable()
export class HealthProber implements OnApplicationShutdown {
  private readonly agent = new Agent();

  constructor(@Inject(healthConfig.KEY) private readonly config: ConfigType<typeof healthConfig>) {}

  async probe(target: HealthTarget, trigger: CheckTrigger): Promise<ProbeResult> {
    const url = healthUrl(target.baseUrl, target.healthEndpoint);
    const metadata = { url, trigger, checker: CHECKER };
    const timeoutMs = this.config.timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    const checkedAt = new Date();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let statusCode: number | null = null;
    let reason = '';
    let latencyMs = 0;
    try {
      const response = await request(url, {
        method: 'GET',
        dispatcher: this.agent,
        signal,
        reset: true,
        headers: { accept: 'application/json, text/plain, */*', 'user-agent': 'service-registry-health-check' },
      });
      statusCode = response.statusCode;
      reason = response.statusText;
      latencyMs = elapsed();
      const healthy = statusCode >= 200 && statusCode < 300;
      const body = healthy ? (await response.body.dump(), Buffer.alloc(0)) : await readPrefix(response.body, BODY_EXCERPT_BYTES);
      return { target, checkedAt, latencyMs, statusCode, metadata, ...classifyResponse(statusCode, reason, body) };
    } catch (error) {
      if (statusCode === null) latencyMs = elapsed();
      const verdict = classifyFailure({ timedOut: signal.aborted, timeoutMs, host: hostOf(url), error });
      const errorCode = verdict.errorCode ?? null;
      // A target whose status line arrived but whose body then stalled or broke still answered.
      if (statusCode !== null) {
        const answered = classifyResponse(statusCode, reason, Buffer.alloc(0));
        return { target, checkedAt, latencyMs, statusCode, metadata: { ...metadata, bodyError: errorCode }, ...answered };
      }
      return { target, checkedAt, latencyMs, statusCode, metadata: { ...metadata, errorCode }, ...verdict };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}

/** Reads until `limit` bytes have arrived or the body ends, then drops the rest. */
async function readPrefix(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= limit) break;
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks, length).subarray(0, limit);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
