/**
 * The editors in AWS: the Cognito adapter through the real Cognito client, against a pool
 * on a loopback port that speaks Cognito's JSON protocol and records each call
 * (tests/support/cognito-pool.ts).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/domain/errors';
import { CognitoEditorAccounts } from '../../../shared/store/cognito-editors';
import { type CognitoPool, startCognitoPool } from '../../support/cognito-pool';

const POOL_ID = 'eu-west-1_TestPool1';
let pool: CognitoPool;
let editors: CognitoEditorAccounts;

beforeAll(async () => {
  pool = await startCognitoPool(POOL_ID);
  const client = new CognitoIdentityProviderClient({
    endpoint: pool.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  editors = new CognitoEditorAccounts(client, POOL_ID);
});

afterAll(async () => {
  await pool?.close();
});

beforeEach(() => {
  pool.calls.length = 0;
  pool.users.clear();
  pool.groups.clear();
  // What the stack makes: the two roles and the default site's group.
  for (const group of ['admin', 'editor', 'site:default']) pool.groups.set(group, new Set());
});

const operations = () => pool.calls.map((call) => call.operation);

describe('the Cognito editors', () => {
  it('invites an editor by email and puts it in its role’s group and each site’s', async () => {
    const { editor, ...rest } = await editors.createEditor(
      { name: 'ana', role: 'editor', sites: ['default', 'north'], email: 'ana@example.org' },
      'boss',
    );
    expect(rest).toEqual({});
    expect(editor).toMatchObject({
      id: 'ana',
      name: 'ana',
      role: 'editor',
      sites: ['default', 'north'],
      email: 'ana@example.org',
      createdBy: 'boss',
    });
    const [create] = pool.calls;
    expect(create).toEqual({
      operation: 'AdminCreateUser',
      input: {
        UserPoolId: POOL_ID,
        Username: 'ana',
        UserAttributes: [
          { Name: 'email', Value: 'ana@example.org' },
          { Name: 'email_verified', Value: 'true' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      },
    });
    // site:north did not exist (a site older than its group): made, then joined.
    expect(operations()).toEqual([
      'AdminCreateUser',
      'AdminAddUserToGroup',
      'AdminAddUserToGroup',
      'AdminAddUserToGroup',
      'CreateGroup',
      'AdminAddUserToGroup',
    ]);
    expect([...(pool.groups.get('editor') ?? [])]).toEqual(['ana']);
    expect([...(pool.groups.get('site:default') ?? [])]).toEqual(['ana']);
    expect([...(pool.groups.get('site:north') ?? [])]).toEqual(['ana']);
  });

  it('lists the pool’s editors with their role and sites, across pages, and no one else', async () => {
    await editors.createEditor(
      { name: 'ana', role: 'editor', sites: ['default'], email: 'ana@example.org' },
      'boss',
    );
    await editors.createEditor(
      { name: 'bo', role: 'admin', sites: [], email: 'bo@example.org' },
      'boss',
    );
    await editors.createEditor(
      { name: 'cy', role: 'editor', sites: [], email: 'cy@example.org' },
      'boss',
    );
    // A user someone made in the console, in no role's group: not an editor of Crier.
    pool.users.set('stranger', {
      username: 'stranger',
      attributes: [],
      created: Date.now(),
      enabled: true,
    });
    const listed = await editors.listEditors();
    expect(listed.map((e) => [e.id, e.role, e.sites, e.email])).toEqual([
      ['ana', 'editor', ['default'], 'ana@example.org'],
      ['bo', 'admin', [], 'bo@example.org'],
      ['cy', 'editor', [], 'cy@example.org'],
    ]);
    expect(operations().filter((o) => o === 'ListUsers')).toHaveLength(2);
  });

  it('signs a revoked editor out everywhere and deletes the user; an unknown one is NotFound', async () => {
    await editors.createEditor(
      { name: 'ana', role: 'editor', sites: ['default'], email: 'ana@example.org' },
      'boss',
    );
    pool.calls.length = 0;
    const revoked = await editors.deleteEditor('ana');
    expect(revoked).toMatchObject({ id: 'ana', role: 'editor', sites: ['default'] });
    expect(operations()).toEqual([
      'AdminGetUser',
      'AdminListGroupsForUser',
      'AdminUserGlobalSignOut',
      'AdminDeleteUser',
    ]);
    expect(pool.users.has('ana')).toBe(false);
    await expect(editors.deleteEditor('ana')).rejects.toThrow(NotFoundError);
  });

  it('refuses a missing email or a name Cognito cannot take, before calling it', async () => {
    for (const input of [
      { name: 'ana', role: 'editor' as const, sites: [] },
      { name: 'ana maria', role: 'editor' as const, sites: [], email: 'a@example.org' },
      { name: 'ana@example.org', role: 'editor' as const, sites: [], email: 'a@example.org' },
    ]) {
      await expect(editors.createEditor(input, 'boss')).rejects.toThrow(ValidationError);
    }
    expect(pool.calls).toEqual([]);
  });

  it('answers a taken name or email with a conflict', async () => {
    const input = { name: 'ana', role: 'editor' as const, sites: [], email: 'ana@example.org' };
    await editors.createEditor(input, 'boss');
    await expect(editors.createEditor(input, 'boss')).rejects.toThrow(ConflictError);
    await expect(editors.createEditor({ ...input, name: 'ana2' }, 'boss')).rejects.toThrow(
      ConflictError,
    );
  });

  it('answers a name or email Cognito refuses with a 400 naming both, and makes no user', async () => {
    pool.failNext('AdminCreateUser', 'InvalidParameterException');
    const refused = editors.createEditor(
      { name: 'ana', role: 'editor', sites: [], email: 'ana@example.org' },
      'boss',
    );
    await expect(refused).rejects.toThrow(ValidationError);
    await expect(refused).rejects.toMatchObject({
      issues: [
        expect.objectContaining({ field: 'name' }),
        expect.objectContaining({ field: 'email' }),
      ],
    });
    expect(pool.users.size).toBe(0);
  });

  it('deletes the user again when a group cannot be joined, leaving no half-made editor', async () => {
    pool.failNext('AdminAddUserToGroup', 'TooManyRequestsException');
    await expect(
      editors.createEditor(
        { name: 'ana', role: 'editor', sites: [], email: 'ana@example.org' },
        'boss',
      ),
    ).rejects.toThrow();
    expect(operations()).toEqual(['AdminCreateUser', 'AdminAddUserToGroup', 'AdminDeleteUser']);
    expect(pool.users.size).toBe(0);
  });

  it('makes a new site’s group once; a second time changes nothing', async () => {
    await editors.createSiteGroup('north');
    await editors.createSiteGroup('north');
    expect(pool.calls.map((c) => [c.operation, c.input.GroupName])).toEqual([
      ['CreateGroup', 'site:north'],
      ['CreateGroup', 'site:north'],
    ]);
    expect(pool.groups.has('site:north')).toBe(true);
  });

  it('finds no editor by a token: in AWS the JWT authorizer checks the caller', async () => {
    expect(await editors.editorByToken('crier_anything')).toBeUndefined();
    expect(pool.calls).toEqual([]);
  });
});

describe('the editor API’s access, by runtime', () => {
  it('manages the editors in the pool CRIER_USER_POOL_ID names, with no token made', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      CRIER_USER_POOL_ID: POOL_ID,
      TABLE_NAME: 'crier',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: pool.url,
    });
    try {
      const { editorAccess } = await import('../../../shared/composition/editors');
      const access = editorAccess();
      const { editor, token } = await access.createEditor(
        { name: 'ana', role: 'admin', sites: [], email: 'ana@example.org' },
        'boss',
      );
      expect(token).toBeUndefined();
      expect(editor.id).toBe('ana');
      expect(pool.users.has('ana')).toBe(true);
      expect([...(pool.groups.get('admin') ?? [])]).toEqual(['ana']);
    } finally {
      process.env = saved;
    }
  });
});
