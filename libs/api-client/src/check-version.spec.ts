import { describe, expect, it } from 'vitest';
import { compareCheckVersions, isCheckVersion } from './check-version.js';

describe('compareCheckVersions', () => {
  it('orders by semver precedence, not by text', () => {
    const sorted = ['1.10.0', '1.9.3', '2.0.0', '2.0.0-rc.1', '2.0.0-alpha', '2.0.0-rc.10', '2.0.0-rc.2', '0.9.0', '2.0.0-alpha.1', '2.0.0-beta'].sort(compareCheckVersions);
    expect(sorted).toEqual(['0.9.0', '1.9.3', '1.10.0', '2.0.0-alpha', '2.0.0-alpha.1', '2.0.0-beta', '2.0.0-rc.1', '2.0.0-rc.2', '2.0.0-rc.10', '2.0.0']);
  });

  it('ignores build metadata', () => {
    expect(compareCheckVersions('1.2.3+build.5', '1.2.3')).toBe(0);
  });

  it('refuses what is not a semantic version', () => {
    expect(isCheckVersion('1.2')).toBe(false);
    expect(isCheckVersion('01.2.3')).toBe(false);
    expect(() => compareCheckVersions('1.2', '1.2.0')).toThrow(/not a semantic version: "1.2"/);
  });
});
