import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../../shared/domain/errors';
import { readGenericWebhook } from '../../../shared/ingest/generic';
import {
  signStandardWebhook,
  verifyStandardWebhook,
} from '../../../shared/ingest/standard-webhooks';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const body = Buffer.from('{"id":"a1"}');
const now = new Date('2026-11-28T12:00:00Z');
const ts = Math.floor(now.getTime() / 1000);

const headers = (overrides: Record<string, string | undefined> = {}) => ({
  'webhook-id': 'msg_1',
  'webhook-timestamp': String(ts),
  'webhook-signature': signStandardWebhook(secret, 'msg_1', ts, body),
  ...overrides,
});

describe('Standard Webhooks signatures', () => {
  it('accepts a body signed with the secret', () => {
    expect(verifyStandardWebhook(secret, headers(), body, now)).toEqual({
      deliveryId: 'msg_1',
      timestamp: ts,
    });
  });

  it('matches the reference test vector of the Standard Webhooks specification', () => {
    // From the specification's libraries' tests: secret, id, timestamp, payload and signature.
    const vectorSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = signStandardWebhook(
      vectorSecret,
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts one matching signature among several sent during a secret rotation', () => {
    const good = signStandardWebhook(secret, 'msg_1', ts, body);
    const other = signStandardWebhook(
      `whsec_${randomBytes(32).toString('base64')}`,
      'msg_1',
      ts,
      body,
    );
    expect(() =>
      verifyStandardWebhook(
        secret,
        headers({ 'webhook-signature': `${other} ${good}` }),
        body,
        now,
      ),
    ).not.toThrow();
  });

  it.each([
    ['a missing signature', { 'webhook-signature': undefined }],
    ['a missing id', { 'webhook-id': undefined }],
    ['a missing timestamp', { 'webhook-timestamp': undefined }],
    [
      'a signature by another key',
      { 'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
    ],
    ['a signature of another id', { 'webhook-id': 'msg_2' }],
    [
      'an unknown signature version',
      { 'webhook-signature': `v2,${signStandardWebhook(secret, 'msg_1', ts, body).slice(3)}` },
    ],
    ['a timestamp that is not a number', { 'webhook-timestamp': 'yesterday' }],
  ])('refuses %s', (_, overrides) => {
    expect(() => verifyStandardWebhook(secret, headers(overrides), body, now)).toThrow(
      UnauthorizedError,
    );
  });

  it('refuses a tampered body', () => {
    expect(() => verifyStandardWebhook(secret, headers(), Buffer.from('{"id":"a2"}'), now)).toThrow(
      UnauthorizedError,
    );
  });

  it('refuses a delivery signed more than five minutes ago, or ahead', () => {
    for (const skew of [-301, 301]) {
      const t = ts + skew;
      const stale = {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(t),
        'webhook-signature': signStandardWebhook(secret, 'msg_1', t, body),
      };
      expect(() => verifyStandardWebhook(secret, stale, body, now)).toThrow(/tolerance/);
    }
    const fresh = ts - 299;
    expect(() =>
      verifyStandardWebhook(
        secret,
        {
          'webhook-id': 'msg_1',
          'webhook-timestamp': String(fresh),
          'webhook-signature': signStandardWebhook(secret, 'msg_1', fresh, body),
        },
        body,
        now,
      ),
    ).not.toThrow();
  });

  /** The signature a sender holding the secret would compute over this exact timestamp text. */
  const signedOver = (id: string, text: string, signedBody: Buffer) =>
    `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(`${id}.${text}.`)
      .update(signedBody)
      .digest('base64')}`;
  const loose = [
    ['a leading zero', `0${ts}`],
    ['a plus sign', `+${ts}`],
    ['blanks around it', ` ${ts} `],
    ['a tab after it', `${ts}\t`],
    ['a fraction', `${ts}.0`],
    ['an exponent', `${ts / 1000}e3`],
    ['milliseconds', `${ts}000`],
  ] as const;

  it.each(loose)(
    'refuses a timestamp with %s, whether the signature was made over the number or over that text',
    (_, text) => {
      for (const signature of [
        signStandardWebhook(secret, 'msg_1', ts, body),
        signedOver('msg_1', text, body),
      ]) {
        const sent = headers({ 'webhook-timestamp': text, 'webhook-signature': signature });
        expect(() => verifyStandardWebhook(secret, sent, body, now)).toThrow(UnauthorizedError);
      }
    },
  );

  it.each(loose)('the generic webhook refuses a timestamp with %s', (_, text) => {
    const article = readFileSync('tests/fixtures/webhooks/generic-article.json');
    const sent: Record<string, string> = {
      'webhook-id': 'msg_generic',
      'webhook-timestamp': text,
      'webhook-signature': signStandardWebhook(secret, 'msg_generic', ts, article),
    };
    expect(() => readGenericWebhook(secret, sent, article, now)).toThrow(UnauthorizedError);
    sent['webhook-timestamp'] = String(ts);
    expect(readGenericWebhook(secret, sent, article, now).deliveryId).toBe('msg_generic');
  });

  it('refuses to run with a secret too short to be one', () => {
    expect(() => signStandardWebhook('whsec_c2hvcnQ=', 'msg_1', ts, body)).toThrow(/at least 16/);
  });
});
