/**
 * Cheap looks into signature files without parsing them: the root element
 * and its attributes (from the first few KB), and how many times an element
 * occurs (one pass of a regular expression over the bytes). A full parse of
 * the 3.6 MB binary file costs hundreds of milliseconds; `info` needs neither.
 */

export interface RootElement {
  /** The name without a namespace prefix (`FFSignatureFile`). */
  readonly name: string;
  /** The attributes of the start tag, entities decoded; `xmlns` included. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** How far into a file the root element is looked for. */
export const ROOT_SCAN_BYTES = 64 * 1024;

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/**
 * The root element of an XML document, read from its beginning: skips a
 * byte-order mark, the XML declaration, processing instructions, comments,
 * a DOCTYPE and white space. Returns undefined when the text does not start
 * like an XML document or the start tag is not complete within `text`.
 */
export function readRootElement(text: string): RootElement | undefined {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at])) at++;
    if (text.startsWith('<?', at)) {
      const end = text.indexOf('?>', at + 2);
      if (end < 0) return undefined;
      at = end + 2;
    } else if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      if (end < 0) return undefined;
      at = end + 3;
    } else if (text.startsWith('<!DOCTYPE', at)) {
      const subset = text.indexOf('[', at);
      const close = text.indexOf('>', at);
      if (close < 0) return undefined;
      if (subset >= 0 && subset < close) {
        const end = text.indexOf(']', subset);
        const after = end < 0 ? -1 : text.indexOf('>', end);
        if (after < 0) return undefined;
        at = after + 1;
      } else {
        at = close + 1;
      }
    } else {
      break;
    }
  }
  const tag = /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*\/?>/.exec(text.slice(at, at + ROOT_SCAN_BYTES));
  if (!tag) return undefined;
  const attributes: Record<string, string> = {};
  for (const attribute of tag[2].matchAll(/([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attributes[attribute[1]] = decodeEntities(attribute[2] ?? attribute[3] ?? '');
  }
  const qualified = tag[1];
  return { name: qualified.slice(qualified.indexOf(':') + 1), attributes };
}

/**
 * How many start tags of each named element the document holds, counted
 * with one pass over the text (no parse): `<Name` followed by white space,
 * `>` or `/`, so `<InternalSignature` is not counted for
 * `<InternalSignatureCollection>`. Elements inside comments or CDATA would be
 * counted too; PRONOM's files have none.
 */
export function countElements<Name extends string>(text: string, names: readonly Name[]): Record<Name, number> {
  const counts = Object.fromEntries(names.map((name) => [name, 0])) as Record<Name, number>;
  if (names.length === 0) return counts;
  const escaped = names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?(${escaped.join('|')})(?=[\\s/>])`, 'g');
  for (const match of text.matchAll(pattern)) counts[match[1] as Name]++;
  return counts;
}

/** Element counts reported for each kind of file. */
export const BINARY_COUNTED = ['FileFormat', 'InternalSignature'] as const;
export const CONTAINER_COUNTED = ['ContainerSignature', 'FileFormatMapping', 'TriggerPuid'] as const;
