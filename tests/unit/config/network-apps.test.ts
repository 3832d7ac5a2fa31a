/** A network's OAuth app from the environment: parsed, and never echoed when wrong. */
import { describe, expect, it } from 'vitest';
import { NetworkApps, networkAppEnvName } from '../../../shared/config/network-apps';

describe('NetworkApps', () => {
  it("reads the platform's app from CRIER_APP_<PLATFORM>, and none where it is unset", async () => {
    const apps = new NetworkApps({
      [networkAppEnvName('x')]: JSON.stringify({
        clientId: 'crier-x',
        clientSecret: 'very-secret',
        tokenUrl: 'http://127.0.0.1:9/2/oauth2/token',
      }),
    });
    expect(await apps.get('x')).toEqual({
      clientId: 'crier-x',
      clientSecret: 'very-secret',
      tokenUrl: 'http://127.0.0.1:9/2/oauth2/token',
    });
    expect(await apps.get('mastodon')).toBeUndefined();
  });

  it('names what is wrong without echoing the secret', async () => {
    const broken = new NetworkApps({ [networkAppEnvName('x')]: '{"clientSecret":"very-secret"' });
    await expect(broken.get('x')).rejects.toThrow('CRIER_APP_X is not valid JSON');
    await expect(broken.get('x')).rejects.not.toThrow(/very-secret/);
    const incomplete = new NetworkApps({
      [networkAppEnvName('x')]: JSON.stringify({ clientSecret: 'very-secret' }),
    });
    await expect(incomplete.get('x')).rejects.toThrow('check clientId');
    await expect(incomplete.get('x')).rejects.not.toThrow(/very-secret/);
  });
});
