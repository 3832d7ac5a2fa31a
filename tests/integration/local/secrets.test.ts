import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSecrets, readStoredSecrets } from '../../../infra/local/secrets';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'crier-secrets-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local secrets', () => {
  it('generates each secret once in its format, keeps them in a 0600 file, and reuses them', () => {
    const first = loadSecrets(dataDir, {});
    const file = join(dataDir, 'secrets.json');
    expect(first.webhookSecret.value).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(first.webhookSecret.value.slice(6), 'base64')).toHaveLength(32);
    expect(first.ghostSecret.value).toMatch(/^[0-9a-f]{64}$/);
    expect(first.syndicationSecret.value).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(first.syndicationSecret.value).not.toBe(first.webhookSecret.value);
    expect(first.editorToken.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.webhookSecret.source).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = loadSecrets(dataDir, {});
    expect(second).toEqual(first);
    expect(readStoredSecrets(dataDir)?.CRIER_WEBHOOK_SECRET).toBe(first.webhookSecret.value);
  });

  it('takes a secret from the environment when set, and neither writes nor changes it in the file', () => {
    const stored = loadSecrets(dataDir, {});
    const fromEnv = loadSecrets(dataDir, {
      CRIER_WEBHOOK_SECRET: 'whsec_ZnJvbS10aGUtZW52aXJvbm1lbnQ=',
    });
    expect(fromEnv.webhookSecret).toEqual({
      value: 'whsec_ZnJvbS10aGUtZW52aXJvbm1lbnQ=',
      source: 'environment',
    });
    expect(fromEnv.editorToken).toEqual(stored.editorToken);
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).not.toContain('ZnJvbS10aGU');
    expect(loadSecrets(dataDir, {}).webhookSecret).toEqual(stored.webhookSecret);
  });

  it('refuses a secrets file it cannot read rather than replacing the secrets in it', () => {
    writeFileSync(join(dataDir, 'secrets.json'), '{"CRIER_GHOST_SECRET": "short"}', {
      mode: 0o600,
    });
    expect(() => loadSecrets(dataDir, {})).toThrow(/CRIER_GHOST_SECRET/);
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toContain('short');
  });
});
