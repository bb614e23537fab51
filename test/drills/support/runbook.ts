// Runs a runbook's commands verbatim: a step is the fenced `sh` block right after an HTML comment
// `<!-- drill: NAME -->` in runbooks/procedures/*.md (invisible when rendered). Each step runs in its own
// `bash -euo pipefail` with the env the operator is told to set, and `catalyst` on PATH, so a
// runbook whose command is wrong fails its drill.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

type Env = Record<string, string | undefined>;

/** The text of step `name` of runbooks/`file`. */
export function runbookStep(file: string, name: string): string {
  const text = readFileSync(join(ROOT, 'runbooks/procedures', file), 'utf8');
  const marker = `<!-- drill: ${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`runbooks/procedures/${file} has no step "${name}" (${marker})`);
  // A block inside a list item is indented; its lines lose that indentation.
  const block = /^( *)```sh\n([\s\S]*?)^\1```$/m.exec(text.slice(at + marker.length));
  if (!block?.[2]) throw new Error(`runbooks/procedures/${file}: no \`\`\`sh block after ${marker}`);
  const indent = block[1] ?? '';
  return block[2]
    .split('\n')
    .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
    .join('\n');
}

export interface StepResult {
  stdout: string;
  stderr: string;
  ms: number;
}

export class RunbookRunner {
  /** A `catalyst` executable running this checkout's source, first on PATH for every step. */
  private readonly bin = mkdtempSync(join(tmpdir(), 'catalyst-bin-'));

  constructor(private readonly env: Env) {
    const shim = join(this.bin, 'catalyst');
    writeFileSync(
      shim,
      `#!/bin/sh\nexec "${process.execPath}" --import "${join(ROOT, 'node_modules/tsx/dist/loader.mjs')}" "${join(ROOT, 'src/cli.ts')}" "$@"\n`,
    );
    chmodSync(shim, 0o755);
  }

  /**
   * Runs step `name` of runbooks/`file`; rejects with its output when it exits non-zero. `asUser`
   * runs it as that OS user (the runbook says which steps an operator runs as `postgres`).
   */
  run(
    file: string,
    name: string,
    opts: { env?: Env; asUser?: string; timeoutMs?: number } = {},
  ): Promise<StepResult> {
    const script = runbookStep(file, name);
    const env = Object.fromEntries(
      Object.entries({
        ...process.env,
        NODE_NO_WARNINGS: '1',
        ...this.env,
        ...opts.env,
        PATH: `${this.bin}:${process.env.PATH}`,
      }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const started = Date.now();
    return new Promise((resolvePromise, reject) => {
      const bash = ['bash', '-euo', 'pipefail', '-c', script];
      const [cmd, ...args] = opts.asUser ? ['runuser', '-u', opts.asUser, '--', ...bash] : bash;
      execFile(
        cmd!,
        args,
        { env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) {
            reject(
              new Error(
                `runbooks/procedures/${file} step "${name}" failed: ${err.message}\n${stdout}\n${stderr}`,
              ),
            );
          } else resolvePromise({ stdout, stderr, ms: Date.now() - started });
        },
      );
    });
  }

  dispose(): void {
    rmSync(this.bin, { recursive: true, force: true });
  }
}
