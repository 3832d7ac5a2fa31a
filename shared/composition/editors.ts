/**
 * Who may sign and who may ask, for the editor API, apart from index.ts so the Cognito
 * client goes only into that function's bundle. Webhook keys are in the table in every
 * runtime; the editors are in the table locally (each with a token) and Cognito users in
 * AWS, where `CRIER_USER_POOL_ID` names the editors' user pool.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import * as z from 'zod';
import { readEnv } from '../config/env';
import type { AccessStore } from '../domain/editor';
import { ENV } from '../resources';
import { CognitoEditorAccounts } from '../store/cognito-editors';
import { accessStore, once } from './index';

const userPoolId = once(
  () => readEnv({ [ENV.userPoolId]: z.string().min(1).optional() })[ENV.userPoolId],
);

/** The sites' keys from the table, and the editors from Cognito when there is a pool. */
export const editorAccess = once((): AccessStore => {
  const table = accessStore();
  const pool = userPoolId();
  if (!pool) return table;
  const cognito = new CognitoEditorAccounts(new CognitoIdentityProviderClient({}), pool);
  return {
    webhookKeys: (siteId, kind) => table.webhookKeys(siteId, kind),
    createWebhookKey: (siteId, secret, kind) => table.createWebhookKey(siteId, secret, kind),
    rotateWebhookKey: (siteId, secret, kind) => table.rotateWebhookKey(siteId, secret, kind),
    createEditor: (input, who) => cognito.createEditor(input, who),
    listEditors: () => cognito.listEditors(),
    editorByToken: (token) => cognito.editorByToken(token),
    deleteEditor: (editorId) => cognito.deleteEditor(editorId),
    createSiteGroup: (siteId) => cognito.createSiteGroup(siteId),
  };
});
