import { gunzipSync } from 'node:zlib';
import { JsonView } from './json-view';

const list = (marker: string) => JsonView.of({ data: Array.from({ length: 200 }, (_, n) => ({ slug: `svc-${n}`, marker })) }, 1);

describe('JsonView', () => {
  const interim = (view: JsonView) => (view as unknown as { interim: unknown }).interim;

  it("serves the replaced view's compressed bytes for an encoding it is still compressing, then its own, and lets them go", async () => {
    const previous = list('old');
    const previousGzip = await previous.encoded('gzip');
    const next = list('new').follow(previous, true);
    expect(next.interimFor('gzip')).toEqual({ encoded: previousGzip, index: previous.index });
    expect(next.interimFor('identity')).toBeUndefined();
    expect(next.interimFor('br')).toBeUndefined(); // the replaced view had no br: this one's own, made on demand
    const gzip = await next.encoded('gzip');
    expect(gunzipSync(gzip.body).equals(next.body)).toBe(true);
    expect(next.interimFor('gzip')).toBeUndefined();
    // Nothing of the replaced view is held once the successor has every encoding it had.
    expect(interim(next)).toBeNull();
  });

  it("lets the replaced view's bytes go only once every encoding it had is made", async () => {
    const previous = list('old');
    await Promise.all([previous.encoded('gzip'), previous.encoded('br')]);
    const next = list('new').follow(previous, true);
    const [gzip, br] = [next.encoded('gzip'), next.encoded('br')];
    expect(interim(next)).not.toBeNull();
    await Promise.all([gzip, br]);
    expect(next.interimFor('br')).toBeUndefined();
    expect(interim(next)).toBeNull();
  });

  it('serves nothing of the replaced view without serveMeanwhile (a write other than health results)', async () => {
    const previous = list('old');
    await previous.encoded('gzip');
    const next = list('new').follow(previous, false);
    expect(next.interimFor('gzip')).toBeUndefined();
    expect(gunzipSync((await next.encoded('gzip')).body).equals(next.body)).toBe(true);
  });
});
