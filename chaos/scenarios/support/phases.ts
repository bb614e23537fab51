// Where a scenario is: before the fault, during it, or after it was removed; with the moments the
// fault started and was removed (recovery is measured from the latter).
export type Phase = 'before' | 'fault' | 'after';

export class Phases {
  current: Phase = 'before';
  faultAt = 0;
  healedAt = 0;

  fault(): void {
    this.current = 'fault';
    this.faultAt = Date.now();
  }

  heal(): void {
    this.current = 'after';
    this.healedAt = Date.now();
  }
}
