import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMetrics } from '../../../src/observability/metrics.js';
import { readBackupStatus, recordBackupStatus } from '../../../src/store/backup/status.js';
import { metricValue } from '../../support/metric-values.js';

describe('backup status', () => {
  it('a node exports the recorded backup and drill times at each scrape, 0 before any', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-status-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'sub', 'backup-status.json');
    const m = createMetrics({ collectDefault: false, backupStatus: () => readBackupStatus(file) });
    const backup = () => metricValue(m.registry, 'catalyst_backup_last_success_timestamp_seconds');
    const drill = () => metricValue(m.registry, 'catalyst_restore_drill_last_success_timestamp_seconds');
    assert.equal(await backup(), 0);
    assert.equal(await drill(), 0);

    recordBackupStatus(file, { backup_last_success: 1_800_000_000 });
    assert.equal(await backup(), 1_800_000_000);
    recordBackupStatus(file, { restore_drill_last_success: 1_800_000_100 });
    assert.equal(await backup(), 1_800_000_000, 'a drill keeps the backup time');
    assert.equal(await drill(), 1_800_000_100);
    assert.match(
      await m.metricsText(),
      /^catalyst_restore_drill_last_success_timestamp_seconds 1800000100$/m,
    );
  });
});
