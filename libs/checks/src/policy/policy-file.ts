import { z } from 'zod';
import type { PolicyFile } from './Policy.js';

const policyFileSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  verdicts: z.record(z.string(), z.enum(['pass', 'warn', 'fail'])).optional(),
});

/** The policy file, or a description of everything wrong with it (`verdicts.X: …; …`). */
export function validatePolicyFile(json: unknown): PolicyFile | string {
  const parsed = policyFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`).join('; ');
}
