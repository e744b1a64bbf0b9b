import { SignatureDownloadError } from './errors.js';
import { KIND_LABEL, ROOT_ELEMENT, type SignatureKind } from './names.js';
import { readRootElement, type RootElement } from './scan.js';

/** The namespace of DROID binary signature files (DROID itself insists on `http:`; see droid issue #1136). */
export const BINARY_NAMESPACE = 'http://www.nationalarchives.gov.uk/pronom/SignatureFile';

export interface CheckedSignatureXml {
  readonly root: RootElement;
  /** Things worth telling that do not stop the file being used. */
  readonly notes: readonly string[];
}

/** The first bytes of a body, printable, for messages. */
function preview(text: string): string {
  const start = text.slice(0, 60).replace(/\s+/g, ' ').trim();
  return JSON.stringify(text.length > 60 ? `${start}…` : start);
}

/**
 * Checks that a downloaded body is a signature file of the kind asked for:
 * not empty, an XML document whose root element is `FFSignatureFile`
 * (binary) or `ContainerSignatureMapping` (container), and well-formed
 * (fast-xml-parser's validator, ~90 ms for the 3.6 MB binary file; loaded
 * only here). Throws `SignatureDownloadError` naming the address.
 */
export async function checkSignatureXml(bytes: Buffer, kind: SignatureKind, url: string): Promise<CheckedSignatureXml> {
  const expected = ROOT_ELEMENT[kind];
  if (bytes.length === 0 || bytes.toString('latin1').trim() === '') {
    throw new SignatureDownloadError('EMPTY', kind, url, `${url} returned an empty body, not a ${KIND_LABEL[kind]}`);
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(bytes.subarray(bom, bom + 200).toString('latin1'))?.[1]?.toLowerCase();
  let text: string;
  if (declared === undefined || declared === 'utf-8' || declared === 'utf8') {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new SignatureDownloadError('MALFORMED_XML', kind, url, `${url} returned text that is not valid UTF-8, so not a ${KIND_LABEL[kind]}`);
    }
  } else {
    text = bytes.toString('latin1');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const root = readRootElement(text);
  if (!root) {
    throw new SignatureDownloadError('NOT_XML', kind, url, `${url} did not return XML (it starts ${preview(text)}), so not a ${KIND_LABEL[kind]}`);
  }
  if (root.name !== expected) {
    throw new SignatureDownloadError(
      'WRONG_ROOT',
      kind,
      url,
      `${url} returned an XML document with root element <${root.name}>, not <${expected}>: not a ${KIND_LABEL[kind]}`,
    );
  }
  const { XMLValidator } = await import('fast-xml-parser');
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw new SignatureDownloadError('MALFORMED_XML', kind, url, `${url} returned a ${KIND_LABEL[kind]} that is not well-formed XML (line ${line}, column ${col}: ${msg})`);
  }
  const notes: string[] = [];
  const namespace = root.attributes['xmlns'];
  if (kind === 'binary' && namespace !== BINARY_NAMESPACE) {
    notes.push(`the binary signature file from ${url} has namespace ${namespace === undefined ? '(none)' : JSON.stringify(namespace)}, not ${JSON.stringify(BINARY_NAMESPACE)}`);
  }
  return { root, notes };
}
