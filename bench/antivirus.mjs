// Antivirus rows of `npm run bench` (issue 6), measured against one clamd the
// bench starts for itself (`startTestClamd` of @tdr/checks/testing):
//
// - one 1 GiB local file: tdr-checks over the Unix socket (clamd `SCAN`s the
//   path) against tdr-checks over 127.0.0.1 TCP (the bytes go by `INSTREAM`);
//   `clamdscan` of the same path shows what clamd itself takes;
// - 1,000 files of 1–64 KB (999 random, one EICAR built at run time):
//   `tdr-checks check --checks antivirus` against `clamdscan --multiscan`.
//
// Every run's output is checked: the 1 GiB file must come back `completed`,
// not infected, by `path` or `stream` as asked (clamd's limits are raised
// past 1 GiB and `AlertExceedsMax yes` turns a limit hit into an error, so a
// pass means clamd scanned every byte); in the 1,000 files both tools must
// find the EICAR file and nothing else.
//
// The clamd has the test database (two signatures), not ClamAV's millions:
// its own scanning is far quicker than a production clamd's, which makes
// what the transport costs (path against stream, per-file overhead) weigh
// more here than it would in production. Both sides use the same clamd.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const MiB = 1024 ** 2;
/** clamd's limits for the bench: a 1 GiB file is scanned whole, and a limit hit is an alert (an error to us), not OK. */
const CLAMD_CONFIG = {
  MaxFileSize: '2000M',
  MaxScanSize: '4000M',
  StreamMaxLength: '2000M',
  AlertExceedsMax: 'yes',
  // clamd remembers clean files by MD5 and then skips scanning them again: a rerun would time the cache,
  // and files entering an archive are new to it.
  DisableCache: 'yes',
};
const SMALL_FILES = 1_000;

/**
 * Adds the antivirus rows and targets through run.mjs's helpers.
 * @param {{ bin: string, dataDir: string, runs: number, time: Function, row: Function, target: Function, note: Function, log: Function, ensureBigFile: Function, GiB: number }} bench
 */
export async function benchAntivirus({ bin, dataDir, runs, time, row, target, note, log, ensureBigFile, GiB }) {
  const bigTask = 'antivirus, one 1 GiB file';
  const smallTask = `antivirus, ${SMALL_FILES.toLocaleString('en')} files 1–64 KB`;
  const pathTarget = 'antivirus 1 GiB: path SCAN ≥ 5× faster than INSTREAM (same clamd)';
  const smallTarget = `antivirus ${SMALL_FILES.toLocaleString('en')} files: at least as fast as clamdscan --multiscan (same clamd)`;

  const { CLAMD_BINARY, CLAMD_MISSING, EICAR_SIGNATURE, eicarBytes, startTestClamd } = await import('@tdr/checks/testing');
  const clamdscanMissing = spawnSync('clamdscan', ['--version']).error ? 'clamdscan not installed' : undefined;
  if (CLAMD_MISSING) {
    const why = 'skipped: clamd not installed';
    log(`antivirus: ${CLAMD_MISSING}; ${why}`);
    row(bigTask, 'tdr-checks, Unix socket (SCAN of the path)', null, why);
    row(bigTask, 'tdr-checks, TCP (INSTREAM)', null, why);
    row(bigTask, 'clamdscan (clamd reads the path; 1 run)', null, why);
    row(smallTask, 'tdr-checks check --checks antivirus', null, why);
    row(smallTask, 'clamdscan --multiscan', null, why);
    target(pathTarget, null, undefined, undefined, why);
    target(smallTarget, null, undefined, undefined, why);
    return;
  }

  // Data: a 1 GiB random file, and 999 random small files beside which the EICAR file is written for the run only.
  const big = join(dataDir, 'big-1GiB.bin');
  ensureBigFile(big, GiB);
  const folder = join(dataDir, 'antivirus-1k');
  const eicar = join(folder, 'eicar.com');
  rmSync(eicar, { force: true });
  if (!existsSync(folder) || countFiles(folder) !== SMALL_FILES - 1) {
    log(`generating ${SMALL_FILES - 1} files of 1–64 KB in ${folder}…`);
    rmSync(folder, { recursive: true, force: true });
    for (let i = 0; i < SMALL_FILES - 1; i++) {
      const sub = join(folder, `d${String(i % 10).padStart(2, '0')}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `f${String(i).padStart(4, '0')}.bin`), randomBytes(1024 + ((i * 7919) % (63 * 1024))));
    }
  }
  writeFileSync(eicar, eicarBytes());
  execFileSync('cat', [big], { stdio: ['ignore', 'ignore', 'inherit'] }); // into the page cache, for both sides alike

  log('antivirus: starting a clamd of the bench’s own (test database: two signatures)…');
  const clamd = await startTestClamd(CLAMD_CONFIG);
  try {
    const maxFileSize = String(2000 * MiB); // = clamd's MaxFileSize and StreamMaxLength above
    const ours = (address, path) => [process.execPath, bin, 'check', '--checks', 'antivirus', '--clamd', address, '--clamd-max-file-size', maxFileSize, path, '--format', 'jsonl'];

    // One 1 GiB file: the check's own time (envelope durationMs) is kept too, without the process start-up.
    const checkMs = { path: [], stream: [] };
    const expectBig = (method) => (stdout, { run }) => {
      const av = JSON.parse(stdout).checks?.antivirus;
      if (av?.status !== 'completed' || av.result.method !== method || av.result.infected !== false) {
        throw new Error(`antivirus of ${big} by ${method}: expected completed, method ${method}, not infected; got ${JSON.stringify(av)}`);
      }
      if (run > 0) checkMs[method].push(av.durationMs);
    };
    const cpu = cpuMeter(clamd.process.pid);
    const pathMs = time('tdr-checks antivirus 1 GiB path', ours(clamd.socket, big), { inspect: expectBig('path') });
    const pathCpu = cpu.perRun(runs);
    const streamMs = time('tdr-checks antivirus 1 GiB stream', ours(`127.0.0.1:${clamd.port}`, big), { inspect: expectBig('stream') });
    const streamCpu = cpu.perRun(runs);
    const pathCheck = median(checkMs.path);
    const streamCheck = median(checkMs.stream);
    const rate = (ms) => `${(GiB / ms / 1e6).toFixed(2)} GB/s`;
    row(bigTask, 'tdr-checks, Unix socket (SCAN of the path)', pathMs, `${rate(pathMs)}; check time ${pathCheck.toFixed(0)} ms; ${pathCpu.text}`);
    row(
      bigTask,
      'tdr-checks, TCP (INSTREAM)',
      streamMs,
      `${rate(streamMs)}; check time ${streamCheck.toFixed(0)} ms (${(streamCheck - pathCheck).toFixed(0)} ms more than by path); ${streamCpu.text}`,
    );
    note(
      `antivirus 1 GiB: by path clamd spends ${pathCpu.server.toFixed(0)} ms of CPU scanning; a stream costs clamd ${(streamCpu.server - pathCpu.server).toFixed(0)} ms more (receiving it into a temporary file, then scanning that) and the client ${streamCpu.client.toFixed(0)} ms. clamd scans one file on one thread, so with this clamd a path scan is about (stream CPU, both sides) / (path scan CPU) = ${((streamCpu.server + streamCpu.client) / pathCpu.server).toFixed(2)}× faster than a stream, however fast the client.`,
    );

    // clamdscan needs a config file naming the socket.
    const clamdscanConf = join(clamd.dir, 'clamdscan.conf');
    writeFileSync(clamdscanConf, `LocalSocket ${clamd.socket}\n`);
    const clamdscan = (...args) => ['clamdscan', `--config-file=${clamdscanConf}`, '--no-summary', ...args];
    if (!clamdscanMissing) {
      // No target: clamd's own time for the same file, the floor under the path scan.
      const expectClean = (stdout) => {
        if (stdout.trim() !== `${big}: OK`) throw new Error(`clamdscan ${big}: expected "${big}: OK", got ${JSON.stringify(stdout)}`);
      };
      // One timed run (after the warm-up): a minute or so each with this data, and it is a reference, not a target.
      const floorMs = time('clamdscan 1 GiB', clamdscan(big), { inspect: expectClean, repeat: 1 });
      row(bigTask, 'clamdscan (clamd reads the path; 1 run)', floorMs, rate(floorMs));
    } else {
      row(bigTask, 'clamdscan (clamd reads the path; 1 run)', null, `skipped: ${clamdscanMissing}`);
    }

    // 1,000 small files, EICAR among them: both tools must report it, and only it.
    const expectOurs = (stdout, { status }) => {
      const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
      const wrong = lines.filter((line) => {
        const av = line.checks?.antivirus;
        const isEicar = line.path === 'eicar.com';
        return av?.status !== 'completed' || av.result.method !== 'path' || av.result.infected !== isEicar || (isEicar && !av.result.signatures.includes(EICAR_SIGNATURE));
      });
      if (status !== 1 || lines.length !== SMALL_FILES || wrong.length > 0) {
        throw new Error(`tdr-checks on ${folder}: expected exit 1 and ${SMALL_FILES} files scanned by path, only eicar.com infected; got exit ${status}, ${lines.length} lines, unexpected: ${JSON.stringify(wrong.slice(0, 3))}`);
      }
    };
    cpu.perRun(runs); // the readings start here
    const smallOurs = time('tdr-checks antivirus 1k', ours(clamd.socket, folder), { inspect: expectOurs });
    const oursCpu = cpu.perRun(runs);
    row(smallTask, 'tdr-checks check --checks antivirus', smallOurs, `${(SMALL_FILES / (smallOurs / 1000)).toFixed(0)} files/s; ${oursCpu.text}`);
    if (!clamdscanMissing) {
      const found = `${eicar}: ${EICAR_SIGNATURE} FOUND`;
      const expectFound = (stdout) => {
        if (stdout.trim() !== found) throw new Error(`clamdscan --multiscan ${folder}: expected only "${found}", got ${JSON.stringify(stdout.slice(0, 2000))}`);
      };
      // Exit 1: a virus was found (the EICAR file); 2 would be an error.
      const smallClamdscan = time('clamdscan --multiscan 1k', clamdscan('--multiscan', folder), { okCodes: [1], inspect: expectFound });
      const clamdscanCpu = cpu.perRun(runs);
      row(smallTask, 'clamdscan --multiscan', smallClamdscan, `${(SMALL_FILES / (smallClamdscan / 1000)).toFixed(0)} files/s; ${clamdscanCpu.text}`);
      const cores = availableParallelism();
      note(
        `antivirus ${SMALL_FILES.toLocaleString('en')} files: MULTISCAN keeps clamd busy on every core with no work in the client, and a client that asks for each file's result shares the same ${cores} cores with clamd, so it cannot finish sooner than (clamd CPU + client CPU) / ${cores}: for tdr-checks ${((oursCpu.server + oursCpu.client) / cores).toFixed(0)} ms. To match clamdscan's ${smallClamdscan.toFixed(0)} ms a client could spend at most ${cores} × ${smallClamdscan.toFixed(0)} − ${oursCpu.server.toFixed(0)} (clamd) = ${(cores * smallClamdscan - oursCpu.server).toFixed(0)} ms of CPU in all, start-up included.`,
      );
      target(smallTarget, smallClamdscan / smallOurs, (ratio) => ratio >= 1, (ratio) => `${ratio.toFixed(2)}×`);
    } else {
      row(smallTask, 'clamdscan --multiscan', null, `skipped: ${clamdscanMissing}`);
      target(smallTarget, null, undefined, undefined, `skipped: ${clamdscanMissing}`);
    }

    target(pathTarget, streamMs / pathMs, (ratio) => ratio >= 5, (ratio) => `${ratio.toFixed(2)}× (check time alone ${(streamCheck / pathCheck).toFixed(2)}×)`);
    note(
      `antivirus: one clamd started by the bench (${clamdVersion(CLAMD_BINARY)}, MaxFileSize/StreamMaxLength 2000M, MaxScanSize 4000M, AlertExceedsMax yes, DisableCache yes) with a test database of two signatures, not ClamAV's: clamd's own scanning is much quicker than with the real database, so the transport's share of the time is larger here than in production.`,
    );
  } finally {
    await clamd.stop();
    rmSync(eicar, { force: true });
  }
}

/**
 * CPU time, in ms, that the server (`pid`) and this process's finished
 * children (the timed tool) used since the last reading; from /proc, so
 * Linux only (elsewhere both read 0).
 */
function cpuMeter(pid) {
  const tickMs = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString());
  // Fields after the command name: utime and stime are the 12th and 13th, cutime and cstime the 14th and 15th.
  const fields = (path) => {
    try {
      const stat = readFileSync(path, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    } catch {
      return [];
    }
  };
  const read = () => {
    const server = fields(`/proc/${pid}/stat`);
    const self = fields('/proc/self/stat');
    return { server: ((server[11] ?? 0) + (server[12] ?? 0)) * tickMs, client: ((self[13] ?? 0) + (self[14] ?? 0)) * tickMs };
  };
  let last = read();
  return {
    /** CPU per run since the last reading, over `runs` timed runs and the warm-up one. */
    perRun(runs) {
      const now = read();
      const server = (now.server - last.server) / (runs + 1);
      const client = (now.client - last.client) / (runs + 1);
      last = now;
      return { server, client, text: `CPU per run: clamd ${server.toFixed(0)} ms, client ${client.toFixed(0)} ms` };
    },
  };
}

function countFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function clamdVersion(binary) {
  return spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() || 'ClamAV, version unknown';
}
