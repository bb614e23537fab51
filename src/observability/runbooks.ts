// Where the runbooks (runbooks/<AlertName>.md) are published: alerts/src/generate.ts writes each
// alert's runbook_url from it, and `catalyst status` links the runbook of what it sees failing.
// CATALYST_RUNBOOK_BASE_URL points both at a wiki or a fork instead.
export const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/catalyst-signals/catalyst/blob/main/runbooks';

export const runbookUrl = (base: string, alert: string) => `${base.replace(/\/+$/, '')}/${alert}.md`;
