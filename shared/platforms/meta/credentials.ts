/**
 * What Threads' and Instagram's credentials secrets share: a Graph user token, a Graph
 * id, and an `apiBase` that points the client at the local sandbox and may lead nowhere
 * else (the loopback check and the field-naming messages are the fetch clients' own).
 */
import * as z from 'zod';
import {
  bearerToken,
  sandboxApiBase as optionalApiBase,
  parseCredentials,
} from '../rest/credentials';

export type { ParsedCredentials } from '../rest/credentials';

export const sandboxApiBase = optionalApiBase.unwrap();

/** A long-lived Graph user token: printable ASCII, no spaces. */
export const graphAccessToken = bearerToken;

/** A Graph object id: digits only. */
export const graphUserId = z
  .string()
  .trim()
  .regex(/^\d{1,30}$/, 'must be a numeric Graph id');

export const parseGraphCredentials = parseCredentials;
