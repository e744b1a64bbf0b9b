import { z } from 'zod';
import type { PolicyFile } from './Policy.js';

const puid = z.string().regex(/^(x-)?fmt\/\d+$/, 'a PRONOM PUID such as fmt/494 or x-fmt/263');

const policyFileSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  verdicts: z.record(z.string(), z.enum(['pass', 'warn', 'fail'])).optional(),
  formats: z.record(z.string(), z.union([z.record(puid, z.string()), z.array(puid)])).optional(),
  fileNames: z.record(z.string(), z.array(z.string().min(1))).optional(),
});

/** The policy file, or a description of everything wrong with it (`verdicts.X: …; …`). */
export function validatePolicyFile(json: unknown): PolicyFile | string {
  const parsed = policyFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`).join('; ');
}
