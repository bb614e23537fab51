// Passes data through; Toxiproxy's internal toxic, creatable through its API, so creatable here too.
import { PassThroughRunner, type ToxicKind } from './runner.js';

class NoopRunner extends PassThroughRunner {}

export const noop: ToxicKind = {
  type: 'noop',
  goStruct: 'NoopToxic',
  attributes: [],
  create: (_attributes, ctx) => new NoopRunner(ctx),
};
