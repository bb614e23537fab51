// wireFrame must be byte for byte the frame `ws` itself writes for the same text (it bypasses ws's
// Sender for signals due alone), at each of the three payload length encodings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ws from 'ws';
import { wireFrame } from '../../src/gateway/messages.js';

// ws exports its Sender at run time; its type declarations do not.
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, boolean | number>): Buffer[] };
};

describe('wireFrame', () => {
  for (const length of [0, 125, 126, 65535, 65536, 70000]) {
    it(`frames ${length} bytes as ws does`, () => {
      const text = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
      const expected = Buffer.concat(
        Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }),
      );
      assert.deepEqual(wireFrame(text), expected);
    });
  }
});
