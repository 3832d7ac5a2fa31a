/**
 * Checks recorded Graph API exchanges (Facebook Page, Instagram) against the node
 * descriptions Meta's business SDKs are generated from: each node type's fields, and its
 * edges with their methods, parameters (name and type) and the node type they return.
 * A request names a described edge of the node its id is, with described parameters of
 * the right type; `fields` names fields or edges of the type read; an answer carries only
 * what was asked, each value of its described type.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { Exchange } from './recorder';

const nodeSchema = z.looseObject({
  apis: z.array(
    z.looseObject({
      method: z.string(),
      endpoint: z.string().optional(),
      return: z.string().optional(),
      params: z
        .array(
          z.looseObject({ name: z.string(), type: z.string(), required: z.boolean().optional() }),
        )
        .optional(),
    }),
  ),
  fields: z.array(z.looseObject({ name: z.string(), type: z.string() })),
});
type Node = z.infer<typeof nodeSchema>;
type Api = Node['apis'][number];

/**
 * Parameters every Graph call takes, which the node descriptions leave out: the token,
 * the fields to read, and the paging and time bounds of a list.
 */
const GRAPH_PARAMETERS = new Set([
  'access_token',
  'fields',
  'limit',
  'since',
  'until',
  'after',
  'before',
]);

/** The top-level names in a `fields` list (`attachments{url}` names `attachments`). */
export function fieldNames(fields: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of fields) {
    if (char === '{') depth += 1;
    if (char === '}') depth -= 1;
    if (char === ',' && depth === 0) {
      names.push(current);
      current = '';
    } else if (depth === 0 && char !== '}') current += char;
  }
  names.push(current);
  return names.map((n) => n.replace(/\..*$/, '').trim()).filter(Boolean);
}

/** Whether a form or query value reads as a described parameter type. */
function paramFits(value: string, type: string): boolean {
  if (type === 'bool') return /^(true|false|0|1)$/.test(value);
  if (type === 'int') return /^-?\d+$/.test(value);
  if (type === 'unsigned int') return /^\d+$/.test(value);
  if (type === 'float') return /^-?\d+(\.\d+)?$/.test(value);
  if (type === 'datetime') return value.trim() !== '';
  return true;
}

/** Whether a JSON value is of a described field type. */
function valueFits(value: unknown, type: string): boolean {
  if (type === 'string') return typeof value === 'string';
  if (type === 'bool') return typeof value === 'boolean';
  if (type === 'int' || type === 'unsigned int' || type === 'float')
    return typeof value === 'number';
  if (type === 'datetime')
    return (
      typeof value === 'string' &&
      !Number.isNaN(Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')))
    );
  if (type === 'list' || type.startsWith('list<')) return Array.isArray(value);
  return typeof value === 'object' && value !== null;
}

export class GraphDescription {
  private readonly nodes = new Map<string, Node>();

  /** `files`: node type name -> its description file. */
  constructor(files: Record<string, URL>) {
    for (const [name, file] of Object.entries(files)) {
      this.nodes.set(name, nodeSchema.parse(JSON.parse(readFileSync(file, 'utf8'))));
    }
  }

  /** `types(id)`: the node types an id may be, as the test knows them. */
  check(
    exchange: Exchange,
    types: (id: string) => string[],
  ): { request: string[]; response: string[] } {
    const match = /^\/v\d+\.\d+\/([\w]+)(?:\/(\w+))?$/.exec(exchange.path);
    if (!match?.[1]) return { request: [`${exchange.path}: not a Graph path`], response: [] };
    const [, id, edge] = match;
    const params = new URLSearchParams(exchange.query);
    if (exchange.requestBody.length > 0) {
      if (!exchange.requestType.startsWith('application/x-www-form-urlencoded')) {
        return {
          request: [
            `${exchange.method} ${exchange.path}: a ${exchange.requestType} body is not checked here`,
          ],
          response: [],
        };
      }
      for (const [name, value] of new URLSearchParams(exchange.requestBody.toString('utf8')))
        params.append(name, value);
    }
    const attempts = types(id).map((type) => this.against(type, edge, exchange, params));
    return (
      attempts.find((a) => a.request.length === 0) ??
      attempts[0] ?? { request: [`${id}: no node type`], response: [] }
    );
  }

  private against(
    type: string,
    edge: string | undefined,
    exchange: Exchange,
    params: URLSearchParams,
  ) {
    const node = this.nodes.get(type);
    const op = `${exchange.method} ${type}${edge ? `/${edge}` : ''}`;
    if (!node) return { request: [`${op}: ${type} is not described`], response: [] };
    const api = node.apis.find((a) => a.method === exchange.method && a.endpoint === edge);
    if (!api) return { request: [`${op}: no such edge in the description`], response: [] };
    const request: string[] = [];
    for (const [name, value] of params) {
      if (GRAPH_PARAMETERS.has(name)) continue;
      const param = api.params?.find((p) => p.name === name);
      if (!param) request.push(`${op}: parameter ${name} is not described`);
      else if (!paramFits(value, param.type))
        request.push(`${op}: ${name}=${value} is not a ${param.type}`);
    }
    for (const param of api.params ?? []) {
      if (param.required && !params.has(param.name))
        request.push(`${op}: required ${param.name} is missing`);
    }
    const read = api.return ? this.nodes.get(api.return) : undefined;
    const asked = params.get('fields');
    if (asked !== null && read) {
      const known = new Set([
        ...read.fields.map((f) => f.name),
        ...read.apis.map((a) => a.endpoint),
      ]);
      for (const name of fieldNames(asked)) {
        if (!known.has(name)) request.push(`${op}: field ${name} is not one of ${api.return}'s`);
      }
    }
    return { request, response: this.answer(op, api, read, asked, exchange) };
  }

  private answer(
    op: string,
    api: Api,
    read: Node | undefined,
    asked: string | null,
    exchange: Exchange,
  ): string[] {
    if (!exchange.responseType.startsWith('application/json')) {
      return [`${op} ${exchange.status}: a ${exchange.responseType} answer, not Graph's JSON`];
    }
    const body: unknown = JSON.parse(exchange.responseBody.toString('utf8'));
    if (typeof body !== 'object' || body === null) return [`${op}: the answer is not an object`];
    // Error bodies, and `{ success }` after an update or delete, are Graph's conventions
    // which the node descriptions do not cover (see docs/networks.md).
    if ('error' in body) return [];
    if (api.endpoint === undefined && exchange.method !== 'GET') {
      return z.strictObject({ success: z.boolean() }).safeParse(body).success
        ? []
        : [`${op}: expected { success }`];
    }
    if (!read) return [];
    const list = exchange.method === 'GET' && api.endpoint !== undefined;
    const items = list ? z.looseObject({ data: z.array(z.unknown()) }).safeParse(body) : undefined;
    if (items && !items.success) return [`${op}: a list answer without data[]`];
    const problems: string[] = [];
    if (items?.success) {
      const extra = Object.keys(body).filter((k) => k !== 'data' && k !== 'paging');
      if (extra.length > 0) problems.push(`${op}: the list answer has ${extra.join(', ')}`);
    }
    const objects = items?.success ? items.data.data : [body];
    const allowed = asked === null ? undefined : new Set(['id', ...fieldNames(asked)]);
    objects.forEach((object, i) => {
      if (typeof object !== 'object' || object === null) {
        problems.push(`${op}: item ${i} is not an object`);
        return;
      }
      for (const [name, value] of Object.entries(object)) {
        const where = `${op}${list ? ` data[${i}]` : ''}: ${name}`;
        if (allowed && !allowed.has(name)) problems.push(`${where} was not asked for`);
        const field = read.fields.find((f) => f.name === name);
        const edge = read.apis.find((a) => a.method === 'GET' && a.endpoint === name);
        if (field) {
          if (!valueFits(value, field.type))
            problems.push(`${where} is not a ${field.type}: ${JSON.stringify(value)}`);
        } else if (edge) {
          if (!z.looseObject({ data: z.array(z.unknown()) }).safeParse(value).success)
            problems.push(`${where}: an edge without data[]`);
        } else problems.push(`${where} is not a field of ${api.return}`);
      }
    });
    return problems;
  }
}
