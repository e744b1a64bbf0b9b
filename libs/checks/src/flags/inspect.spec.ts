import { describe, expect, it } from 'vitest';
import { buildCfb, buildZip, memorySource } from '../format/containers/test-support.js';
import type { ByteWindow } from '../format/signatures/index.js';
import { inspectFile } from './inspect.js';

const text = (value: string) => new TextEncoder().encode(value);

/** Inspects in-memory bytes as the check does: a 64 KiB window at each end plus random access. */
function inspect(bytes: Uint8Array) {
  const size = bytes.length;
  const window: ByteWindow = { size, head: bytes.subarray(0, 65536), tail: bytes.subarray(Math.max(0, size - 65536)) };
  return inspectFile(memorySource(bytes), window);
}

describe('inspectFile', () => {
  it('flags an empty file, and nothing else about it', async () => {
    expect(await inspect(new Uint8Array())).toEqual({ passwordProtected: false, executable: false, zeroBytes: true });
  });

  it('passes plain files: text, an ordinary ZIP, an ordinary OLE2 file, an ordinary PDF', async () => {
    const plain = { passwordProtected: false, executable: false, zeroBytes: false };
    expect(await inspect(text('hello'))).toEqual(plain);
    expect(await inspect(buildZip([{ name: 'a.txt', data: 'a' }]))).toEqual(plain);
    expect(await inspect(buildCfb({ streams: [{ path: 'WordDocument', data: new Uint8Array(64) }] }).bytes)).toEqual(plain);
    expect(await inspect(text('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer << /Root 1 0 R >>\n%%EOF'))).toEqual(plain);
  });

  it('finds an encrypted ZIP entry', async () => {
    const zip = buildZip([{ name: 'open.txt', data: 'x' }, { name: 'secret.txt', data: 'y', encrypted: true }]);
    expect(await inspect(zip)).toMatchObject({ passwordProtected: true, passwordProtectedBasis: 'ZIP entry "secret.txt" is encrypted' });
  });

  it('finds encryption data in an OpenDocument manifest', async () => {
    const manifest =
      '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml">' +
      '<manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>';
    const odt = buildZip([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', method: 0 },
      { name: 'META-INF/manifest.xml', data: manifest },
      { name: 'content.xml', data: 'not really xml, encrypted' },
    ]);
    expect(await inspect(odt)).toMatchObject({ passwordProtected: true, passwordProtectedBasis: 'OpenDocument manifest lists encryption data' });
  });

  it('finds encrypted OOXML, Word, Excel and PowerPoint 97–2003 in OLE2 files', async () => {
    const ole2 = (streams: Array<{ path: string; data: Uint8Array | string }>) => inspect(buildCfb({ streams }).bytes);
    expect((await ole2([{ path: 'EncryptedPackage', data: 'x' }, { path: 'EncryptionInfo', data: 'y' }])).passwordProtectedBasis).toMatch(/EncryptedPackage/);
    const fib = new Uint8Array(64);
    fib.set([0xec, 0xa5], 0);
    fib[0x0b] = 0x01;
    expect((await ole2([{ path: 'WordDocument', data: fib }])).passwordProtectedBasis).toMatch(/fEncrypted/);
    const workbook = Uint8Array.from([0x09, 0x08, 0x02, 0x00, 0x00, 0x06, 0x2f, 0x00, 0x02, 0x00, 0x01, 0x00]);
    expect((await ole2([{ path: 'Workbook', data: workbook }])).passwordProtectedBasis).toMatch(/FILEPASS/);
    const plainWorkbook = Uint8Array.from([0x09, 0x08, 0x02, 0x00, 0x00, 0x06, 0x0a, 0x00, 0x00, 0x00]);
    expect((await ole2([{ path: 'Workbook', data: plainWorkbook }])).passwordProtected).toBe(false);
    expect((await ole2([{ path: 'EncryptedSummary', data: 'x' }, { path: 'PowerPoint Document', data: 'y' }])).passwordProtected).toBe(true);
  });

  it('finds /Encrypt in a PDF trailer at the end of a large file', async () => {
    const pdf = new Uint8Array(300_000);
    pdf.set(text('%PDF-1.6\n'), 0);
    pdf.set(text('trailer\n<< /Size 9 /Root 1 0 R /Encrypt 8 0 R >>\nstartxref\n123\n%%EOF\n'), 300_000 - 80);
    expect(await inspect(pdf)).toMatchObject({ passwordProtected: true, passwordProtectedBasis: 'PDF has an /Encrypt dictionary' });
  });

  it('flags executables by their header', async () => {
    const elf = new Uint8Array(64);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
    expect(await inspect(elf)).toMatchObject({ executable: true, executableKind: 'ELF', passwordProtected: false });
  });

  it('cannot tell about a ZIP whose directory is broken, and says so instead of passing it', async () => {
    const zip = buildZip([{ name: 'a.txt', data: 'a' }]);
    const broken = zip.slice();
    // The end-of-central-directory record's offset of the directory, pointed past the end.
    const eocd = broken.length - 22;
    new DataView(broken.buffer).setUint32(eocd + 16, broken.length + 1000, true);
    await expect(inspect(broken)).rejects.toMatchObject({ code: 'CONTAINER_UNREADABLE' });
    // A ZIP cut short (its local header is there, its directory is not) cannot be inspected either.
    await expect(inspect(zip.subarray(0, 40))).rejects.toMatchObject({ code: 'CONTAINER_UNREADABLE' });
    // Text that merely starts with "PK" is no container at all.
    expect((await inspect(text('PKZIP is the name of a program'))).passwordProtected).toBe(false);
  });
});
