// The one error type of configuration: every message names the flag or variable and what is wrong,
// so a bad value stops the process with one line an operator can act on.
export class ConfigError extends Error {
  /** One entry per bad setting, each starting with the variable's name. */
  readonly problems: string[];

  constructor(problems: string | string[], heading?: string) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(heading ? `${heading}:\n  ${list.join('\n  ')}` : list.join('; '));
    this.name = 'ConfigError';
    this.problems = list;
  }
}
