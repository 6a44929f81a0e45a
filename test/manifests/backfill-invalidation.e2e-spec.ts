import Redis from 'ioredis';
import { join } from 'node:path';
import { testEnv } from '../support/environment';
import { eventually } from '../support/eventually';
import { TestDatabase } from '../support/test-database';
import { BackfillContext } from './backfill-context';

const RUNBOOK_SOURCE = { path: join('modules', 'observatory', 'dist'), moduleId: 'observatory' };

/**
 * A backfill with Redis configured tells every replica what changed. (Its own file: the CLI's
 * context reads its Redis setting once per process's configuration, and the other backfill
 * tests run inline.)
 */
describe('backfill invalidations', () => {
  let db: TestDatabase;
  let context: BackfillContext;
  let subscriber: Redis;
  const messages: { modules?: string[] }[] = [];

  beforeAll(async () => {
    db = await TestDatabase.migrated();
    context = await BackfillContext.start(db.url, testEnv('redisUrl'));
    subscriber = new Redis(testEnv('redisUrl'));
    await subscriber.subscribe('service-registry:invalidate');
    subscriber.on('message', (_channel, raw: string) => messages.push(JSON.parse(raw)));
  });

  afterAll(async () => {
    subscriber?.disconnect();
    await context?.close();
    await db?.drop();
  });

  it('publishes one invalidation naming what changed after a write, and none for an unchanged import', async () => {
    await context.backfill({ sources: [RUNBOOK_SOURCE] });
    const ours = () => messages.filter((message) => message.modules?.includes('observatory'));
    await eventually(() => expect(ours()).toHaveLength(1));
    // An unchanged import publishes nothing: a later write's message is the next one seen.
    await context.backfill({ sources: [RUNBOOK_SOURCE] });
    await context.backfill({ sources: [RUNBOOK_SOURCE], variables: { OBSERVATORY_LOG_LEVEL: 'debug' } });
    await eventually(() => expect(ours()).toHaveLength(2));
    expect(ours()[0]).toMatchObject({
      reason: 'backfill',
      services: ['observatory-dashboard', 'observatory-admin'],
      networks: ['observatory'],
      modules: ['observatory'],
    });
    expect(ours()[1]).toMatchObject({ reason: 'backfill', services: ['observatory-dashboard'], modules: ['observatory'] });
  });
});
