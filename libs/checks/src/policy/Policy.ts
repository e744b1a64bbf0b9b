import type { FileReport } from '../engine/report.js';
import defaultPolicyJson from './default-policy.json' with { type: 'json' };
import { BUILT_IN_RULES, NEVER_PASS, REASON_CODES, type Finding, type Rule } from './reasons.js';

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
  readonly verdicts?: Readonly<Record<string, Verdict>>;
}

/** A policy file that cannot be used, with what is wrong in it. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

const SEVERITY: Record<Verdict, number> = { pass: 0, warn: 1, fail: 2 };

/**
 * Maps the facts checks report to `pass | warn | fail` with reasons. Rules
 * (code) find reasons; the verdict of each reason is data: the built-in
 * table, overridden by a JSON policy file.
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
  readonly #rules: readonly Rule[];

  private constructor(description: string, verdicts: Record<string, Verdict>, rules: readonly Rule[]) {
    this.description = description;
    this.verdicts = verdicts;
    this.#rules = rules;
  }

  /** The built-in policy (its file is checked against the schema by a test, not at every start). */
  static default(): Policy {
    const builtIn = defaultPolicyJson as PolicyFile;
    return new Policy(builtIn.description ?? 'default', { ...builtIn.verdicts }, BUILT_IN_RULES);
  }

  /**
   * The default policy with the verdicts of a JSON policy file laid over it.
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
    const base = Policy.default();
    const overrides = parsed.verdicts ?? {};
    for (const [code, verdict] of Object.entries(overrides)) {
      if (!(code in REASON_CODES)) {
        throw new PolicyError(`${source}: unknown reason code "${code}"; known codes: ${Object.keys(REASON_CODES).join(', ')}`);
      }
      if (verdict === 'pass' && NEVER_PASS.has(code)) {
        throw new PolicyError(`${source}: "${code}" cannot be mapped to pass: a file that could not be verified never passes`);
      }
    }
    return new Policy(parsed.description ?? source, { ...base.verdicts, ...overrides }, base.#rules);
  }

  /** The verdict a reason code carries; codes no table names fail, so nothing new passes unnoticed. */
  verdictOf(code: string): Verdict {
    return this.verdicts[code] ?? 'fail';
  }

  judge(report: FileReport): Judgement {
    const reasons: Reason[] = [];
    let verdict: Verdict = 'pass';
    for (const rule of this.#rules) {
      for (const finding of rule(report)) {
        const weight = this.verdictOf(finding.code);
        if (weight === 'pass') continue;
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
