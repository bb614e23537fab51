// A node SIGKILLed while both publishers post to it and subscribers are connected to it: publishers
// move to the surviving node and retry the id in flight (so a publish the dead node stored but could
// not acknowledge is acknowledged once by the other), subscribers resume there from their last seq.
import type { ScenarioDef } from './support/scenario.js';

export const nodeKilled: ScenarioDef = {
  name: 'node-killed',
  fault: 'node A SIGKILLed mid-publish, restarted after 6 s',
  alert: { fires: ['CatalystDown'] },
  maxPublishMs: 5_000,
  minAckedDuringFault: 10,
  inject: ({ stack }) => stack.a.kill9(),
  heal: ({ stack }) => stack.a.restart(),
  verify: async ({ subscribers, failures }) => {
    const moved = subscribers.find((s) => s.name === 'all@A');
    if (moved && moved.connections < 2) failures.push('the subscriber on A never resumed elsewhere');
  },
};
