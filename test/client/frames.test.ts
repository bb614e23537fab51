import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameError, parseFrame } from '../../src/client/frames.js';

describe('server frames', () => {
  it('reads a single message and an array of messages alike', () => {
    assert.deepEqual(parseFrame('{"type":"heartbeat","last_seq":3}'), [{ type: 'heartbeat', last_seq: 3 }]);
    const batch = parseFrame(
      '[{"type":"heartbeat","last_seq":3},{"type":"signal","seq":4,"signal":{"seq":4}}]',
    );
    assert.deepEqual(
      batch.map((m) => m.type),
      ['heartbeat', 'signal'],
    );
  });

  it('passes unknown message types through for forward compatibility', () => {
    assert.deepEqual(parseFrame('{"type":"news","x":1}'), [{ type: 'news', x: 1 }]);
  });

  it('rejects what it cannot trust: bad JSON, missing type, a signal without a seq', () => {
    assert.throws(() => parseFrame('{"type":'), FrameError);
    assert.throws(() => parseFrame('[{"seq":1}]'), FrameError);
    assert.throws(() => parseFrame('{"type":"signal","signal":{}}'), FrameError);
    assert.throws(() => parseFrame('{"type":"welcome","epoch":"e"}'), FrameError);
  });
});
