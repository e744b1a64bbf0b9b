import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compareCheckVersions } from './check-version.js';
import { HttpResultSink } from './http/http-result-sink.js';
import { envelope } from './test-support/envelopes.js';
import { ResultsApiServer } from './testing/results-api-server.js';

let server: ResultsApiServer;
beforeAll(async () => {
  server = await ResultsApiServer.start();
});
afterAll(async () => {
  await server.close();
});

const version = fc.tuple(fc.nat(2), fc.nat(11), fc.nat(2), fc.option(fc.constantFrom('rc.1', 'rc.2', 'alpha'), { nil: undefined })).map(([major, minor, patch, pre]) => `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`);

it('whatever the order and batching, each file ends with its newest version, applied once', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat(4), version), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 7 }), async (deliveries, maxBatchSize) => {
      run++;
      const sent = deliveries.map(([file, checkVersion]) => ({ ...envelope(file, checkVersion), fileId: `run${run}-f${file}` }));
      const sink = new HttpResultSink({ url: server.url, consignmentId: `run${run}`, maxBatchSize, concurrency: 3, maxBatchDelayMs: 1 });
      await sink.write(sent);
      await sink.close();
      const { applied, duplicate, stale } = sink.stats;
      expect(applied + duplicate + stale).toBe(sent.length);
      const newest = new Map<string, string>();
      for (const { fileId, checkVersion } of sent) {
        const held = newest.get(fileId);
        if (held === undefined || compareCheckVersions(checkVersion, held) > 0) newest.set(fileId, checkVersion);
      }
      for (const [fileId, checkVersion] of newest) {
        const stored = server.results.get(fileId)?.get('checksum');
        expect(stored && compareCheckVersions(stored.checkVersion, checkVersion)).toBe(0);
      }
      for (const { fileId, checkVersion } of sent) expect(server.appliedCount.get(`${fileId}:checksum:${checkVersion}`) ?? 0).toBeLessThanOrEqual(1);
    }),
    { numRuns: 40 },
  );
});
