// The manifest written beside every backup archive (FILE.manifest.json): what the archive must
// contain, computed from the same snapshot the archive was taken from, and the archive's own SHA-256
// so a truncated or swapped file is caught before anything is restored.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { BackupError } from './errors.js';
import type { StoreFacts } from './inspect.js';

export const MANIFEST_FORMAT = 'catalyst-backup/1';

export interface Manifest extends StoreFacts {
  format: typeof MANIFEST_FORMAT;
  created_at: string;
  epoch: string;
  archive: { file: string; bytes: number; sha256: string };
}

export const manifestPath = (archive: string) => `${archive}.manifest.json`;

/** The archive a path names: FILE itself, or FILE when given FILE.manifest.json. */
export const archiveOf = (path: string) => resolve(path.replace(/\.manifest\.json$/, ''));

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function writeManifest(archive: string, facts: StoreFacts, createdAt: Date): Promise<Manifest> {
  if (!facts.epoch) throw new BackupError('the store has no epoch: run `catalyst migrate` first');
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    created_at: createdAt.toISOString(),
    ...facts,
    epoch: facts.epoch,
    archive: { file: basename(archive), bytes: statSync(archive).size, sha256: await fileSha256(archive) },
  };
  const path = manifestPath(archive);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return manifest;
}

/** Reads a manifest given either its own path or its archive's path. */
export function readManifest(path: string): Manifest {
  const file = path.endsWith('.manifest.json') ? path : manifestPath(path);
  if (!existsSync(file))
    throw new BackupError(`no manifest at ${file}: a backup is FILE plus FILE.manifest.json`);
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    throw new BackupError(`${file} is not valid JSON: is it a Catalyst backup manifest?`);
  }
  if (m.format !== MANIFEST_FORMAT) {
    throw new BackupError(`${file} is not a ${MANIFEST_FORMAT} manifest (format: ${String(m.format)})`);
  }
  return m;
}

/** Checks the archive file against its manifest before anything is restored from it. */
export async function checkArchive(archive: string, m: Manifest): Promise<void> {
  if (!existsSync(archive)) throw new BackupError(`no backup archive at ${archive}`);
  const bytes = statSync(archive).size;
  if (bytes !== m.archive.bytes || (await fileSha256(archive)) !== m.archive.sha256) {
    throw new BackupError(
      `${archive} does not match its manifest (size or SHA-256 differ): the file is damaged or not this backup`,
    );
  }
}

/** Differences between a store and a manifest, one line each; empty when they hold the same data. */
export function compareWithManifest(facts: StoreFacts, m: Manifest): string[] {
  const diffs: string[] = [];
  const check = (what: string, got: unknown, want: unknown) => {
    if (got !== want) diffs.push(`${what}: the store has ${String(got)}, the manifest ${String(want)}`);
  };
  check('last seq', facts.last_seq, m.last_seq);
  check('signal count', facts.counts.signals, m.counts.signals);
  check('token count', facts.counts.tokens, m.counts.tokens);
  check('signal fingerprint', facts.fingerprints.signals, m.fingerprints.signals);
  check('token fingerprint', facts.fingerprints.tokens, m.fingerprints.tokens);
  return diffs;
}
