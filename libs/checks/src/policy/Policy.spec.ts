import { describe, expect, it } from 'vitest';
import type { FileReport } from '../engine/report.js';
import type { ResultEnvelope } from '../types.js';
import { Policy, PolicyError, isAtLeast } from './Policy.js';
import { REASON_CODES } from './reasons.js';

function envelope(check: string, outcome: { result: unknown } | { error: { code: string; message: string; retryable: boolean } }): ResultEnvelope {
  const base = { fileId: 'f', check, checkVersion: '1.0.0', tool: { name: 't', version: '1' }, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1 };
  return 'result' in outcome ? { ...base, status: 'completed', result: outcome.result } : { ...base, status: 'error', error: outcome.error };
}

function report(results: ResultEnvelope[], extra: Partial<FileReport> = {}): FileReport {
  return { id: 'f', path: 'f', size: 3, results: Object.fromEntries(results.map((e) => [e.check, e])), ...extra };
}

const sha = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('Policy', () => {
  const policy = Policy.default();

  it('passes a file whose checksum matches or was not declared', () => {
    expect(policy.judge(report([envelope('checksum', { result: { sha256: sha } })]))).toEqual({ verdict: 'pass', reasons: [] });
    expect(policy.judge(report([envelope('checksum', { result: { sha256: sha, expected: { sha256: sha }, matches: true } })])).verdict).toBe('pass');
  });

  it('fails a mismatch and says which algorithm differs and where the expectation came from', () => {
    const judged = policy.judge(
      report([envelope('checksum', { result: { sha256: sha, md5: 'aa', expected: { sha256: '0'.repeat(64), md5: 'aa' }, matches: false } })], {
        expected: { checksums: { sha256: '0'.repeat(64) }, source: 'manifest-sha256.txt:4' },
      }),
    );
    expect(judged.verdict).toBe('fail');
    expect(judged.reasons).toHaveLength(1);
    expect(judged.reasons[0]).toMatchObject({ code: 'ChecksumMismatch', verdict: 'fail', check: 'checksum' });
    expect(judged.reasons[0].message).toContain(`sha256 is ${sha}, expected ${'0'.repeat(64)}`);
    expect(judged.reasons[0].message).not.toContain('md5');
    expect(judged.reasons[0].message).toContain('manifest-sha256.txt:4');
  });

  it('fails every check error, never passes it', () => {
    const judged = policy.judge(
      report([
        envelope('checksum', { error: { code: 'FILE_NOT_FOUND', message: 'a no longer exists', retryable: false } }),
        envelope('other', { result: {} }),
      ]),
    );
    expect(judged).toMatchObject({ verdict: 'fail', reasons: [{ code: 'CheckError', check: 'checksum' }] });
    expect(judged.reasons[0].message).toContain('FILE_NOT_FOUND');
  });

  it('fails an infected file (VirusDetected, as TDR’s Antivirus status says) and passes a clean one', () => {
    const scanned = (infected: boolean) =>
      envelope('antivirus', {
        result: { infected, signatures: infected ? ['Win.Test.EICAR_HDB-1'] : [], software: 'ClamAV', softwareVersion: '1.4.6', databaseVersion: '27456' },
      });
    expect(policy.judge(report([scanned(false)]))).toEqual({ verdict: 'pass', reasons: [] });
    const judged = policy.judge(report([scanned(true)]));
    expect(judged).toMatchObject({ verdict: 'fail', reasons: [{ code: 'VirusDetected', check: 'antivirus', verdict: 'fail' }] });
    expect(judged.reasons[0].message).toBe('Win.Test.EICAR_HDB-1 (ClamAV 1.4.6, database 27456)');
  });

  it('warns when antivirus did not run, and fails when it could not scan', () => {
    expect(policy.judge(report([], { notRun: { antivirus: 'no clamd answered at /run/clamav/clamd.ctl' } }))).toMatchObject({
      verdict: 'warn',
      reasons: [{ code: 'AntivirusNotRun', verdict: 'warn', message: 'antivirus did not run: no clamd answered at /run/clamav/clamd.ctl' }],
    });
    const unscanned = envelope('antivirus', { error: { code: 'SCAN_LIMIT_EXCEEDED', message: 'too big', retryable: false } });
    expect(policy.judge(report([unscanned]))).toMatchObject({ verdict: 'fail', reasons: [{ code: 'CheckError', check: 'antivirus' }] });
  });

  it('warns about files the manifest does not list and fails files it lists but the folder lacks', () => {
    expect(policy.judge(report([envelope('checksum', { result: { sha256: sha, unlisted: true } })]))).toMatchObject({
      verdict: 'warn',
      reasons: [{ code: 'NotInManifest', verdict: 'warn' }],
    });
    expect(policy.judge(report([], { size: null, missing: { reason: 'not-found', message: 'listed in m.txt line 3' } }))).toMatchObject({
      verdict: 'fail',
      reasons: [{ code: 'MissingFile' }],
    });
    expect(policy.judge(report([], { size: null, missing: { reason: 'outside-folder', message: '../x' } })).reasons[0].code).toBe('OutsideFolder');
  });

  it('lets a policy file change verdicts, including to pass', async () => {
    const strict = await Policy.fromJson('{"verdicts":{"NotInManifest":"fail"}}', 'strict.json');
    expect(strict.judge(report([envelope('checksum', { result: { sha256: sha, unlisted: true } })])).verdict).toBe('fail');
    const lax = await Policy.fromJson('{"description":"lax","verdicts":{"NotInManifest":"pass"}}', 'lax.json');
    expect(lax.judge(report([envelope('checksum', { result: { sha256: sha, unlisted: true } })]))).toEqual({ verdict: 'pass', reasons: [] });
    expect(lax.description).toBe('lax');
    expect(lax.verdicts['ChecksumMismatch']).toBe('fail');
  });

  it('rejects bad policy files with a message naming the problem', async () => {
    await expect(Policy.fromJson('{', 'p.json')).rejects.toThrow(/p\.json is not valid JSON/);
    await expect(Policy.fromJson('{"verdicts":{"NotInManifest":"maybe"}}', 'p.json')).rejects.toThrow(/verdicts\.NotInManifest/);
    await expect(Policy.fromJson('{"verdict":{}}', 'p.json')).rejects.toThrow(PolicyError);
    await expect(Policy.fromJson('{"verdicts":{"NotInManfest":"warn"}}', 'p.json')).rejects.toThrow(/unknown reason code "NotInManfest"/);
    await expect(Policy.fromJson('{"verdicts":{"CheckError":"pass"}}', 'p.json')).rejects.toThrow(/cannot be mapped to pass/);
  });

  it('ships a default policy that its own schema accepts and that names every built-in reason', async () => {
    const { validatePolicyFile } = await import('./policy-file.js');
    const defaultJson = (await import('./default-policy.json', { with: { type: 'json' } })).default;
    expect(validatePolicyFile(defaultJson)).toEqual(defaultJson);
    expect(Object.keys(Policy.default().verdicts).sort()).toEqual(Object.keys(REASON_CODES).sort());
  });

  const formatEnvelope = (matches: Array<{ puid: string; name?: string; extensionMismatch?: boolean; extension?: string }>) =>
    envelope('format', {
      result: {
        matches: matches.map((match) => ({
          puid: match.puid,
          formatName: match.name ?? 'Some format',
          formatVersion: '',
          mimeType: '',
          method: 'Signature',
          basis: 'byte match at 0',
          extension: match.extension ?? 'bin',
          extensionMismatch: match.extensionMismatch ?? false,
        })),
      },
    });

  it('gives reasons from the PUID lists, unidentified and ambiguous formats, and extension mismatches', () => {
    expect(policy.judge(report([formatEnvelope([{ puid: 'fmt/494', name: 'MS Office Encrypted Document' }])]))).toMatchObject({
      verdict: 'fail',
      reasons: [{ code: 'PasswordProtected', check: 'format', message: expect.stringContaining('fmt/494') }],
    });
    expect(policy.judge(report([formatEnvelope([{ puid: 'x-fmt/263' }])])).reasons.map((reason) => reason.code)).toEqual(['Zip']);
    expect(policy.judge(report([formatEnvelope([])]))).toMatchObject({ verdict: 'warn', reasons: [{ code: 'Unidentified' }] });
    const ambiguous = policy.judge(report([formatEnvelope([{ puid: 'fmt/40' }, { puid: 'fmt/41', extensionMismatch: true, extension: 'doc' }])]));
    expect(ambiguous.verdict).toBe('warn');
    expect(ambiguous.reasons.map((reason) => reason.code)).toEqual(['MultipleFormats', 'ExtensionMismatch']);
    expect(policy.judge(report([formatEnvelope([{ puid: 'fmt/276', name: 'PDF 1.7' }])]))).toEqual({ verdict: 'pass', reasons: [] });
  });

  it('gives reasons from the flags check, once per code even when the format says the same', () => {
    const flags = envelope('flags', { result: { passwordProtected: true, passwordProtectedBasis: 'PDF trailer has /Encrypt', executable: false, zeroBytes: false } });
    const judged = policy.judge(report([formatEnvelope([{ puid: 'fmt/754' }]), flags]));
    expect(judged.reasons).toHaveLength(1);
    expect(judged.reasons[0]).toMatchObject({ code: 'PasswordProtected', verdict: 'fail' });
    expect(judged.reasons[0].message).toContain('fmt/754');
    expect(judged.reasons[0].message).toContain('/Encrypt');
    const empty = envelope('flags', { result: { passwordProtected: false, executable: true, executableKind: 'ELF', zeroBytes: true } });
    expect(policy.judge(report([empty])).reasons.map((reason) => reason.code)).toEqual(['Executable', 'ZeroByteFile']);
  });

  it('gives reasons from file names, case-insensitively with wildcards', () => {
    const named = (path: string) => policy.judge(report([], { path })).reasons.map((reason) => reason.code);
    expect(named('sub/Desktop.INI')).toEqual(['DesktopIni']);
    expect(named('.DS_Store')).toEqual(['OperatingSystemMac']);
    expect(named('photos/._IMG_0001.JPG')).toEqual(['OperatingSystemMac']);
    expect(named('~$report.docx')).toEqual(['OperatingSystemMac']);
    expect(named('Thumbs.db')).toEqual(['SystemFile']);
    expect(named('report.docx')).toEqual([]);
    expect(named('not.desktop.ini.txt')).toEqual([]);
  });

  it('lets a policy file replace a PUID list or a name list, as an object or a plain list', async () => {
    const custom = await Policy.fromJson(JSON.stringify({ formats: { Zip: ['fmt/276'] }, fileNames: { DesktopIni: [] } }), 'custom.json');
    expect(custom.judge(report([formatEnvelope([{ puid: 'fmt/276' }])])).reasons.map((reason) => reason.code)).toEqual(['Zip']);
    expect(custom.judge(report([formatEnvelope([{ puid: 'x-fmt/263' }])])).reasons).toEqual([]);
    expect(custom.judge(report([], { path: 'desktop.ini' })).reasons).toEqual([]);
    expect(custom.formats['PasswordProtected']).toHaveProperty('fmt/494');
    await expect(Policy.fromJson(JSON.stringify({ formats: { Zip: ['zip'] } }), 'bad.json')).rejects.toThrow(/formats\.Zip\.0: a PRONOM PUID/);
    await expect(Policy.fromJson(JSON.stringify({ fileNames: { Nope: ['x'] } }), 'bad.json')).rejects.toThrow(/unknown reason code "Nope"/);
  });

  it('orders verdicts', () => {
    expect(isAtLeast('fail', 'warn')).toBe(true);
    expect(isAtLeast('warn', 'fail')).toBe(false);
    expect(isAtLeast('pass', 'warn')).toBe(false);
  });
});
