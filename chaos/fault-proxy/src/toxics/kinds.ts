// The toxic types Toxiproxy 2.12.0 accepts, by the name the API uses.
import { bandwidth } from './bandwidth.js';
import { latency } from './latency.js';
import { limitData } from './limit-data.js';
import { noop } from './noop.js';
import { resetPeer } from './reset-peer.js';
import type { Attributes, ToxicKind } from './runner.js';
import { slicer } from './slicer.js';
import { slowClose } from './slow-close.js';
import { timeout } from './timeout.js';

const KINDS: ReadonlyMap<string, ToxicKind> = new Map(
  [latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData, noop].map((k) => [k.type, k]),
);

export function toxicKind(type: string): ToxicKind | undefined {
  return KINDS.get(type);
}

/** Every attribute of the kind, zero when not given, in the order Toxiproxy prints them. */
export function completeAttributes(kind: ToxicKind, given: Attributes): Attributes {
  return Object.fromEntries(kind.attributes.map(({ name }) => [name, given[name] ?? 0]));
}
