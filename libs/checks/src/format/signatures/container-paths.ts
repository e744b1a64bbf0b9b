/**
 * How DROID compares a container signature's `Path` with the entries of a
 * container (droid-container `FileMatcher.fileMatches`): equal, or equal
 * after replacing a leading `{containerFileName}` with the container's file
 * name without extension, or matching the path as a Java NIO glob
 * (`FileSystem.getPathMatcher("glob:" + path)`, `sun.nio.fs.Globs`).
 *
 * The glob rule is DROID's, quirks included: `[Content_Types].xml` is a glob
 * whose `[…]` is a character class, so when a ZIP has no entry of that exact
 * name DROID would accept e.g. `C.xml` in its place (its content must still
 * match any binary signature). Exact names are always tried first.
 *
 * OLE2 names: DROID's walker (droid-container `Ole2IdentifierEngine.OLE2Walker`)
 * applies Java's `String.trim()` to every storage and stream name, which
 * removes leading and trailing characters up to U+0020, so the stream
 * `\x01CompObj` is `CompObj` and `\x05SummaryInformation` is
 * `SummaryInformation`, as the container file names them. Comparisons are
 * case-sensitive (`String.equals`), for ZIP and OLE2 alike.
 */

const CONTAINER_NAME_PLACEHOLDER = '{containerFileName}';

/** Java `String.trim()`: strips characters ≤ U+0020 at both ends. */
export function javaTrim(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 0x20) start++;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end--;
  return value.slice(start, end);
}

/** An OLE2 path as DROID names it: every `/`-separated name trimmed. */
export function droidOle2Path(path: string): string {
  return path.split('/').map(javaTrim).join('/');
}

/** FilenameUtils.removeExtension of the last path segment. */
function withoutExtension(fileName: string): string {
  const name = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(0, dot) : name;
}

const globCache = new Map<string, RegExp | null>();

/** `FileMatcher.fileMatches(pattern, entry, containerFileName)`. */
export function droidPathMatches(pattern: string, entry: string, containerFileName: string | undefined): boolean {
  if (pattern === entry) return true;
  if (containerFileName !== undefined && pattern.startsWith(CONTAINER_NAME_PLACEHOLDER)) {
    if (entry === pattern.split(CONTAINER_NAME_PLACEHOLDER).join(withoutExtension(containerFileName))) return true;
  }
  let regex = globCache.get(pattern);
  if (regex === undefined) {
    regex = javaGlobToRegExp(pattern);
    globCache.set(pattern, regex);
  }
  return regex !== null && regex.test(unixPathName(entry));
}

/** UnixPath normalises a name: repeated and trailing separators go. */
function unixPathName(entry: string): string {
  return entry.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
}

/** A path with none of the glob syntax: as a glob it matches only itself. */
const GLOB_SYNTAX = /[\\[{*?]/;

/**
 * The first of a container's entries that `droidPathMatches` each pattern,
 * found without testing every entry against every pattern: a container
 * signature file names ~200 paths, nearly all plain names, and most are
 * absent from any one container. Answers are remembered per pattern.
 * @example
 * const finder = new EntryFinder(['mimetype', 'content.xml'], 'a.odt');
 * finder.find('content.xml'); // 'content.xml'
 */
export class EntryFinder {
  readonly #entries: readonly string[];
  readonly #containerFileName: string | undefined;
  readonly #found = new Map<string, string | undefined>();
  /** Each entry by its own name and by its normalised name, the first one kept. */
  #byName: Map<string, string> | undefined;

  constructor(entries: readonly string[], containerFileName: string | undefined) {
    this.#entries = entries;
    this.#containerFileName = containerFileName;
  }

  find(pattern: string): string | undefined {
    if (this.#found.has(pattern)) return this.#found.get(pattern);
    const found = GLOB_SYNTAX.test(pattern)
      ? this.#entries.find((entry) => droidPathMatches(pattern, entry, this.#containerFileName))
      : this.byName().get(pattern);
    this.#found.set(pattern, found);
    return found;
  }

  private byName(): Map<string, string> {
    if (this.#byName === undefined) {
      this.#byName = new Map();
      for (const entry of this.#entries) {
        if (!this.#byName.has(entry)) this.#byName.set(entry, entry);
        const name = unixPathName(entry);
        if (!this.#byName.has(name)) this.#byName.set(name, entry);
      }
    }
    return this.#byName;
  }
}

const REGEX_META = new Set([...'.^$+{[]|()\\*?']);

function escapeChar(char: string): string {
  return `\\u{${(char.codePointAt(0) as number).toString(16)}}`;
}

/**
 * Converts a glob with the rules of Java's `sun.nio.fs.Globs.toUnixRegexPattern`:
 * `*` any run within one name, `**` any run across names, `?` one character
 * other than `/`, `[…]`/`[!…]` a class (never `/`), `{a,b}` alternatives,
 * `\` escapes. Returns null for a glob Java would reject (DROID would then
 * fail; we only stop treating the path as a glob).
 */
export function javaGlobToRegExp(glob: string): RegExp | null {
  let out = '^';
  let inGroup = false;
  const chars = [...glob];
  for (let i = 0; i < chars.length; ) {
    const char = chars[i++] as string;
    switch (char) {
      case '\\': {
        const next = chars[i++];
        if (next === undefined) return null;
        out += escapeChar(next);
        break;
      }
      case '/':
        out += '/';
        break;
      case '[': {
        let negate = false;
        const items: string[] = [];
        if (chars[i] === '^') {
          items.push(escapeChar('^'));
          i++;
        } else {
          if (chars[i] === '!') {
            negate = true;
            i++;
          }
          if (chars[i] === '-') {
            items.push(escapeChar('-'));
            i++;
          }
        }
        let closed = false;
        let last: string | undefined;
        while (i < chars.length) {
          const c = chars[i++] as string;
          if (c === ']') {
            closed = true;
            break;
          }
          if (c === '/') return null; // "Explicit 'name separator' in class"
          if (c === '-') {
            if (last === undefined) return null; // "Invalid range"
            const end = chars[i++];
            if (end === undefined || end === ']') {
              // Java appends the '-' and stops at the ']'.
              items.push(escapeChar('-'));
              if (end === ']') closed = true;
              break;
            }
            if ((end.codePointAt(0) as number) < (last.codePointAt(0) as number)) return null;
            items.pop();
            items.push(`${escapeChar(last)}-${escapeChar(end)}`);
            last = undefined;
          } else {
            items.push(escapeChar(c));
            last = c;
          }
        }
        if (!closed) return null; // "Missing ']'"
        out += `(?:(?!/)[${negate ? '^' : ''}${items.join('')}])`;
        break;
      }
      case '{':
        if (inGroup) return null; // "Cannot nest groups"
        out += '(?:(?:';
        inGroup = true;
        break;
      case '}':
        if (inGroup) {
          out += '))';
          inGroup = false;
        } else {
          out += escapeChar('}');
        }
        break;
      case ',':
        out += inGroup ? ')|(?:' : ',';
        break;
      case '*':
        if (chars[i] === '*') {
          out += '.*';
          i++;
        } else {
          out += '[^/]*';
        }
        break;
      case '?':
        out += '[^/]';
        break;
      default:
        out += REGEX_META.has(char) ? escapeChar(char) : char;
    }
  }
  if (inGroup) return null; // "Missing '}'"
  try {
    return new RegExp(`${out}$`, 'su');
  } catch {
    return null;
  }
}
