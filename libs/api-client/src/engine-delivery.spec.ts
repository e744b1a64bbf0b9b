import { createHash } from 'node:crypto';
import { CheckEngine, checksumCheck, type FileRef, type FileReport } from '@tdr/checks';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { HttpResultSink } from './http/http-result-sink.js';
import { envelopesOf } from './result-sink.js';
import { ResultsApiServer } from './testing/results-api-server.js';

let server: ResultsApiServer;
beforeEach(async () => {
  server = await ResultsApiServer.start({ token: 't' });
});
afterEach(async () => {
  await server.close();
});

function memoryFile(path: string, text: string): FileRef {
  const data = new TextEncoder().encode(text);
  return {
    id: `transfer/${path}`,
    path,
    size: data.byteLength,
    read: async (position, length) => data.subarray(position, position + length),
    async *stream() {
      yield data;
    },
  };
}

it('delivers what the engine reports, as a runner would', async () => {
  const files = Array.from({ length: 40 }, (_, i) => memoryFile(`sub/${i}.txt`, `file ${i}\n`));
  const engine = new CheckEngine({ checks: [checksumCheck()] });
  await engine.init();
  const sink = new HttpResultSink({ url: server.url, token: 't', consignmentId: 'run-1', maxBatchSize: 16, deadLetterPath: '/nonexistent/never-written.jsonl' });
  const reports: FileReport[] = [];
  try {
    for await (const batch of engine.runBatches([files.map((file) => ({ file }))])) {
      reports.push(...batch);
      await sink.write(envelopesOf(batch));
    }
  } finally {
    await engine.close();
    await sink.close();
  }
  expect(reports).toHaveLength(40);
  expect(sink.stats).toMatchObject({ written: 40, applied: 40, deadLettered: 0 });
  const stored = (await sink.api.getFileResults('transfer/sub/7.txt'))?.results['checksum'];
  expect(stored).toMatchObject({ status: 'completed', idempotencyKey: `transfer/sub/7.txt:checksum:${checksumCheck().version}`, consignmentId: 'run-1' });
  expect((stored as { result: { sha256: string } } | undefined)?.result.sha256).toBe(createHash('sha256').update('file 7\n').digest('hex'));
});
