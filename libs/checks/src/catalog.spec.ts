import { describe, expect, it } from 'vitest';
import { CHECK_CATALOG, usesLocalFilePool } from './catalog.js';
import { createChecks } from './registry.js';

describe('the check catalog', () => {
  it('names exactly the checks the registry makes', () => {
    const names = CHECK_CATALOG.map((check) => check.name);
    expect(createChecks(names).map((check) => check.name)).toEqual(names);
  });

  it('says which checks use the local-file worker pool, for runners that start it early', () => {
    expect(usesLocalFilePool(['antivirus'])).toBe(false);
    expect(usesLocalFilePool(['checksum'])).toBe(true);
    expect(usesLocalFilePool(['antivirus', 'flags'])).toBe(true);
    expect(usesLocalFilePool(['format'])).toBe(true);
    expect(usesLocalFilePool([])).toBe(false);
    expect(usesLocalFilePool(['no-such-check'])).toBe(false);
  });
});
