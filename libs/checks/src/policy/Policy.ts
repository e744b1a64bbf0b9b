import type { FileReport } from '../engine/report.js';
import defaultPolicyJson from './default-policy.json' with { type: 'json' };
import { NEVER_PASS, REASON_CODES } from './reasons.js';
import { BUILT_IN_RULES, type Finding, type Rule, type RuleData } from './rules.js';

export type Verdict = 'pass' | 'warn' | 'fail';

/** A finding with the weight the policy gave it. */
export interface Reason extends Finding {
  readonly verdict: Exclude<Verdict, 'pass'>;
}

/** A policy's judgement of one file: the worst verdict of its reasons, `pass` when there are none. */
export interface Judgement {
  readonly verdict: Verdict;
  readonly reasons: readonly Reason[];
}

/** The shape of a policy file (see policy-file.ts for its validation). */
export interface PolicyFile {
  readonly $schema?: string;
  readonly description?: string;
  /** Reason code → verdict. */
  readonly verdicts?: Readonly<Record<string, Verdict>>;
  /** Reason code → the PUIDs that carry it (PUID → format name, or a plain list). Replaces the default list of that reason. */
  readonly formats?: Readonly<Record<string, Readonly<Record<string, string>> | readonly string[]>>;
  /** Reason code → base-name patterns (`*` and `?` wildcards, case-insensitive). Replaces the default list of that reason. */
  readonly fileNames?: Readonly<Record<string, readonly string[]>>;
}

/** A policy file that cannot be used, with what is wrong in it. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

const SEVERITY: Record<Verdict, number> = { pass: 0, warn: 1, fail: 2 };

/**
 * Maps the facts checks report to `pass | warn | fail` with reasons. Rules
 * (code) find reasons; which formats and names mean which reason, and the
 * verdict of each reason, are data: the built-in policy
 * (`default-policy.json`), overridden by a JSON policy file.
 *
 * @example
 * ```ts
 * const policy = await Policy.fromJson(await readFile('strict.json', 'utf8'), 'strict.json');
 * const { verdict, reasons } = policy.judge(report);
 * ```
 */
export class Policy {
  readonly description: string;
  readonly verdicts: Readonly<Record<string, Verdict>>;
  /** Reason code → PUID → format name. */
  readonly formats: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly fileNames: Readonly<Record<string, readonly string[]>>;
  readonly #rules: readonly Rule[];
  readonly #data: RuleData;

  private constructor(file: Required<Pick<PolicyFile, 'description' | 'verdicts'>> & PolicyFile, rules: readonly Rule[]) {
    this.description = file.description;
    this.verdicts = file.verdicts;
    this.formats = Object.fromEntries(Object.entries(file.formats ?? {}).map(([code, list]) => [code, asNamedList(list)]));
    this.fileNames = file.fileNames ?? {};
    this.#rules = rules;
    this.#data = compile(this.formats, this.fileNames);
  }

  /** The built-in policy (its file is checked against the schema by a test, not at every start). */
  static default(): Policy {
    const builtIn = defaultPolicyJson as PolicyFile;
    return new Policy({ ...builtIn, description: builtIn.description ?? 'default', verdicts: { ...builtIn.verdicts } }, BUILT_IN_RULES);
  }

  /**
   * The default policy with a JSON policy file laid over it: its verdicts
   * override the default ones, and each reason it lists formats or names
   * for gets exactly those.
   * @param source the file's name, for error messages.
   * @throws PolicyError saying what is wrong and where.
   */
  static async fromJson(text: string, source: string): Promise<Policy> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new PolicyError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    // zod costs ~35 ms to load: only runs that read a policy file pay it.
    const { validatePolicyFile } = await import('./policy-file.js');
    const parsed = validatePolicyFile(json);
    if (typeof parsed === 'string') throw new PolicyError(`${source} is not a valid policy: ${parsed}`);
    const codes = [...Object.keys(parsed.verdicts ?? {}), ...Object.keys(parsed.formats ?? {}), ...Object.keys(parsed.fileNames ?? {})];
    for (const code of codes) {
      if (!(code in REASON_CODES)) {
        throw new PolicyError(`${source}: unknown reason code "${code}"; known codes: ${Object.keys(REASON_CODES).join(', ')}`);
      }
    }
    for (const [code, verdict] of Object.entries(parsed.verdicts ?? {})) {
      if (verdict === 'pass' && NEVER_PASS.has(code)) {
        throw new PolicyError(`${source}: "${code}" cannot be mapped to pass: a file that could not be verified never passes`);
      }
    }
    const base = Policy.default();
    return new Policy(
      {
        description: parsed.description ?? source,
        verdicts: { ...base.verdicts, ...parsed.verdicts },
        formats: { ...base.formats, ...parsed.formats },
        fileNames: { ...base.fileNames, ...parsed.fileNames },
      },
      base.#rules,
    );
  }

  /** The verdict a reason code carries; codes no table names fail, so nothing new passes unnoticed. */
  verdictOf(code: string): Verdict {
    return this.verdicts[code] ?? 'fail';
  }

  /** Judges one file. A reason found twice (say PasswordProtected by format and by structure) is listed once. */
  judge(report: FileReport): Judgement {
    const reasons: Reason[] = [];
    let verdict: Verdict = 'pass';
    for (const rule of this.#rules) {
      for (const finding of rule(report, this.#data)) {
        const weight = this.verdictOf(finding.code);
        if (weight === 'pass') continue;
        const earlier = reasons.findIndex((reason) => reason.code === finding.code);
        if (earlier >= 0) {
          reasons[earlier] = { ...reasons[earlier], message: `${reasons[earlier].message}; ${finding.message}` };
          continue;
        }
        reasons.push({ ...finding, verdict: weight });
        if (SEVERITY[weight] > SEVERITY[verdict]) verdict = weight;
      }
    }
    return { verdict, reasons };
  }
}

/** Whether `verdict` is at least as bad as `threshold`. */
export function isAtLeast(verdict: Verdict, threshold: Verdict): boolean {
  return SEVERITY[verdict] >= SEVERITY[threshold];
}

function asNamedList(list: Readonly<Record<string, string>> | readonly string[]): Readonly<Record<string, string>> {
  return Array.isArray(list) ? Object.fromEntries(list.map((puid) => [puid, ''])) : (list as Readonly<Record<string, string>>);
}

function compile(formats: Policy['formats'], fileNames: Policy['fileNames']): RuleData {
  const byPuid = new Map<string, Array<{ code: string; name: string }>>();
  for (const [code, list] of Object.entries(formats)) {
    for (const [puid, name] of Object.entries(list)) {
      const entries = byPuid.get(puid) ?? [];
      entries.push({ code, name });
      byPuid.set(puid, entries);
    }
  }
  const names = Object.entries(fileNames).flatMap(([code, patterns]) =>
    patterns.map((pattern) => {
      const regex = globToRegExp(pattern);
      return { code, pattern, test: (name: string) => regex.test(name) };
    }),
  );
  return { formats: byPuid, fileNames: names };
}

/** `*` any run, `?` one character; everything else literal; whole name, case-insensitive. */
function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'is');
}
