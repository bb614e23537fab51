// The shape of Catalyst's Prometheus rules, typed so that every alert carries what on-call needs
// (a severity that routes, a summary, a templated description, a runbook) and so that the rule
// files are generated rather than edited by hand (alerts/src/generate.ts).

/** `critical` pages (PagerDuty), `warning` makes a ticket, `info` is not routed. */
export type Severity = 'critical' | 'warning' | 'info';

export interface AlertRule {
  /** `Catalyst...`, and runbooks/<alert>.md exists. */
  alert: string;
  expr: string;
  /** A Prometheus duration (`2m`); omitted only where the expression itself smooths the signal. */
  for?: string;
  severity: Severity;
  /** Extra labels beyond severity (for example `slo`). */
  labels?: Record<string, string>;
  /** A static sentence ending with a period. */
  summary: string;
  /** Templated with `$labels` and `$value`. */
  description: string;
  /** Why the threshold and the `for:` are what they are; written into the file as a comment. */
  why: string;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  /** Written as the group's comment. */
  about: string;
  interval?: string;
  rules: Array<AlertRule | RecordingRule>;
}

export const isAlert = (r: AlertRule | RecordingRule): r is AlertRule => 'alert' in r;
