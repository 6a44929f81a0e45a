import { gunzipSync } from 'node:zlib';
import { JsonView } from './json-view';

const list = (marker: string) => JsonView.of({ data: Array.from({ length: 200 }, (_, n) => ({ slug: `svc-${n}`, marker })) }, 1);

describe('JsonView', () => {
  it('serves its predecessor for an encoding it is still compressing, then its own bytes, and lets the predecessor go', async () => {
    const previous = list('old');
    await previous.encoded('gzip');
    const next = list('new').follow(previous, true);
    expect(next.servedFor('gzip')).toBe(previous);
    expect(next.servedFor('identity')).toBe(next);
    const gzip = await next.encoded('gzip');
    expect(gunzipSync(gzip.body).equals(next.body)).toBe(true);
    expect(next.servedFor('gzip')).toBe(next);
    // Nothing of the predecessor is held once the successor has every encoding it had.
    expect((next as unknown as { predecessor: JsonView | null }).predecessor).toBeNull();
  });

  it('lets the predecessor go only once every encoding it had is made', async () => {
    const previous = list('old');
    await Promise.all([previous.encoded('gzip'), previous.encoded('br')]);
    const next = list('new').follow(previous, true);
    const [gzip, br] = [next.encoded('gzip'), next.encoded('br')];
    expect((next as unknown as { predecessor: JsonView | null }).predecessor).toBe(previous);
    await Promise.all([gzip, br]);
    expect(next.servedFor('br')).toBe(next);
    expect((next as unknown as { predecessor: JsonView | null }).predecessor).toBeNull();
  });
});
