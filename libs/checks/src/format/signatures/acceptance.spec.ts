/**
 * Acceptance: every binary sample of the PRONOM skeleton suite
 * (shared/corpus/skeleton, made from V119 signatures), identified from its
 * bytes and name against the V122 files in shared/pronom, compared with the
 * PUID in its name. Container samples need the real ZIP/OLE2 readers and
 * are left out here.
 *
 * The engine is not tuned to this corpus: disagreements are explained, one
 * by one, from the signatures themselves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { identify, matchSequence, prepareWindow } from './identify.js';
import type { PronomSignatures } from './model.js';
import { sharedTestDataDir, useSharedSignatures } from './test-support.js';
import type { ByteWindow, Identification, IdentifyOptions } from './types.js';
import { DEFAULT_WINDOW_BYTES } from './window.js';
import { ANY } from './units.js';

interface Row {
  readonly path: string;
  readonly expected: string;
  readonly signatureId: number;
  readonly check: string;
}

/** Signatures whose content changed after V119 (shared/corpus/README.md): their samples cannot match V122. */
const CHANGED_AFTER_V119 = new Set([1279, 1987, 2265, 2317]);

let signatures: PronomSignatures;
let rows: Row[];
let skeleton: string;
const files = new Map<string, Buffer>();
const sharedSignatures = useSharedSignatures();

beforeAll(() => {
  signatures = sharedSignatures();
  skeleton = join(sharedTestDataDir(), 'corpus', 'skeleton');
  rows = readFileSync(join(skeleton, 'manifest.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .filter((fields) => fields[2] === 'binary')
    .map(([path, expected, , signatureId, check]) => ({
      path: path as string,
      expected: expected as string,
      signatureId: Number(signatureId),
      check: check as string,
    }));
  for (const row of rows) files.set(row.path, readFileSync(join(skeleton, row.path)));
}, 120_000);

function run(row: Row, options: IdentifyOptions): Identification {
  const bytes = files.get(row.path) as Buffer;
  // The whole sample (the largest is 0.5 MB), with DROID's default max bytes to scan, as the check reads it.
  return identify(signatures, wholeWindow(bytes), row.path, options);
}

function wholeWindow(bytes: Buffer): ByteWindow {
  return { size: bytes.length, head: bytes, tail: bytes, scanLimit: DEFAULT_WINDOW_BYTES };
}

/** A few bytes of a compiled sequence, to name it in messages. */
function describeSequence(elements: readonly { alts: readonly (readonly number[])[] }[], anchor: string): string {
  const units = (elements[0]?.alts[0] ?? []).slice(0, 8);
  const text = units.map((unit) => (unit < 256 ? unit.toString(16).padStart(2, '0') : unit === ANY ? '??' : '[…]')).join('');
  return `${anchor} ${anchor === 'EOF' ? '(reversed) ' : ''}${text}${units.length === 8 ? '…' : ''}`;
}

/** Why a sample was not identified as its PUID. */
function diagnose(row: Row, result: Identification, options: IdentifyOptions): string {
  const reported = result.matches.map((match) => `${match.puid} (${match.method})`).join(', ') || 'nothing';
  if (row.check !== 'ok') return `manifest: ${row.check}; reported ${reported}`;
  if (options.containerFormatBinarySignatures !== 'use' && signatures.containerPuids.has(row.expected)) {
    return `container format: DROID ignores its binary signature ${row.signatureId}; reported ${reported}`;
  }
  const index = signatures.model.signatures.findIndex((signature) => signature.id === row.signatureId);
  if (index < 0) return `signature ${row.signatureId} not in V122; reported ${reported}`;
  const bytes = files.get(row.path) as Buffer;
  const window = prepareWindow(wholeWindow(bytes));
  const sequences = signatures.engine.sequencesOf(index);
  const failing = sequences
    .map((sequenceIndex, position) => ({ sequence: signatures.engine.sequence(sequenceIndex), position }))
    .filter(({ sequence }) => matchSequence(window, sequence, signatures.model.classes) === undefined)
    .map(({ sequence, position }) => `sequence ${position + 1}/${sequences.length} (${describeSequence(sequence.elements, sequence.anchor)})`);
  if (failing.length > 0) {
    const fullScan = prepareWindow({ ...wholeWindow(bytes), scanLimit: bytes.length });
    const beyondScanLimit = sequences.every(
      (sequenceIndex) => matchSequence(fullScan, signatures.engine.sequence(sequenceIndex), signatures.model.classes) !== undefined,
    );
    const why = CHANGED_AFTER_V119.has(row.signatureId)
      ? ' — signature changed after V119'
      : beyondScanLimit
        ? ` — its anchor lies beyond DROID's default max bytes to scan (${DEFAULT_WINDOW_BYTES}); a full-file scan finds it`
        : '';
    return `signature ${row.signatureId} does not match the sample: ${failing.join(', ')} not found${why}; reported ${reported}`;
  }
  const dropped = result.lowerPriority.find((entry) => entry.puid === row.expected);
  if (dropped !== undefined) return `priority: ${row.expected} is below ${dropped.below.join(', ')}`;
  return `UNEXPLAINED: signature ${row.signatureId} matches but ${row.expected} is not reported; reported ${reported}`;
}

function evaluate(options: IdentifyOptions): { agree: number; exact: number; disagreements: string[]; ms: number } {
  let agree = 0;
  let exact = 0;
  const disagreements: string[] = [];
  const started = performance.now();
  const results = rows.map((row) => run(row, options));
  const ms = performance.now() - started;
  rows.forEach((row, index) => {
    const result = results[index] as Identification;
    const puids = result.matches.map((match) => match.puid);
    if (puids.includes(row.expected)) {
      agree++;
      if (puids.length === 1) exact++;
    } else {
      disagreements.push(`${row.path}\t${row.expected}\tsignature ${row.signatureId}\t${diagnose(row, result, options)}`);
    }
  });
  return { agree, exact, disagreements, ms };
}

function report(label: string, outcome: ReturnType<typeof evaluate>): void {
  const total = rows.length;
  const percent = ((100 * outcome.agree) / total).toFixed(2);
  console.log(
    [
      `${label}: ${outcome.agree}/${total} binary samples agree (${percent} %), ${outcome.exact} with a single match; ` +
        `${total - outcome.agree} disagreements; ${(total / (outcome.ms / 1000)).toFixed(0)} files/s (${outcome.ms.toFixed(0)} ms)`,
      ...outcome.disagreements.map((line) => `  ${line}`),
    ].join('\n'),
  );
}

describe('skeleton corpus, binary samples', () => {
  it('has the rows the corpus README describes', () => {
    expect(rows).toHaveLength(2167);
  });

  it('agrees with DROID semantics; every disagreement is explained', () => {
    run(rows[0] as Row, {}); // warm up
    const outcome = evaluate({});
    report('DROID semantics (binary signatures of container formats ignored)', outcome);
    expect(outcome.disagreements.filter((line) => line.includes('UNEXPLAINED'))).toEqual([]);
    // 29 samples are of formats DROID only recognises by container signature.
    const containerFormats = outcome.disagreements.filter((line) => line.includes('container format:')).length;
    expect(containerFormats).toBe(29);
    expect(outcome.agree / (rows.length - containerFormats)).toBeGreaterThanOrEqual(0.99);
  });

  it('agrees on at least 99 % when binary signatures of container formats are used (siegfried)', () => {
    const outcome = evaluate({ containerFormatBinarySignatures: 'use' });
    report('with binary signatures of container formats (siegfried)', outcome);
    expect(outcome.disagreements.filter((line) => line.includes('UNEXPLAINED'))).toEqual([]);
    expect(outcome.agree / rows.length).toBeGreaterThanOrEqual(0.99);
  });
});
