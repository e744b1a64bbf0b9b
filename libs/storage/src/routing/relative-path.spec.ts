import { describe, expect, it } from 'vitest';
import { routingSegments } from './relative-path.js';
import { tempName } from './temp-names.js';

describe('routingSegments', () => {
  it('splits a relative path into names, taken as they are', () => {
    expect(routingSegments('a.pdf')).toEqual(['a.pdf']);
    expect(routingSegments('sub/a b.pdf')).toEqual(['sub', 'a b.pdf']);
    expect(routingSegments('-x/\n/..a/a..')).toEqual(['-x', '\n', '..a', 'a..']);
    expect(routingSegments('.tdr-routing-notes.txt')).toEqual(['.tdr-routing-notes.txt']);
  });

  it.each([
    ['', 'empty'],
    ['/abs/a', 'not absolute'],
    ['../a', '".." segments'],
    ['a/../../b', '".." segments'],
    ['a//b', '"" segments'],
    ['./a', '"." segments'],
    ['a/', '"" segments'],
    ['a\0b', 'NUL'],
    [`sub/${tempName()}`, 'temp files'],
  ])('rejects %j (%s)', (path, why) => {
    expect(() => routingSegments(path)).toThrow(expect.objectContaining({ code: 'INVALID_ROUTING_PATH', message: expect.stringContaining(why) }));
  });
});
