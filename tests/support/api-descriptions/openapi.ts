/**
 * Checks recorded exchanges against an OpenAPI document (X's 3.0, Mastodon's 3.1): the
 * request names a described operation (method and path), its query parameters are the
 * operation's and their values fit their schemas, a JSON body fits the request body's
 * schema; the answer's status is described and its JSON body fits that response's schema.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import * as z from 'zod';
import { parseMultipart } from '../../../infra/local/sandbox/x/http';
import type { Exchange } from './recorder';

const schemaObject = z.record(z.string(), z.unknown());
type SchemaObject = z.infer<typeof schemaObject>;

const parameterSchema = z.looseObject({
  name: z.string(),
  in: z.string(),
  required: z.boolean().optional(),
  schema: schemaObject.optional(),
});
type Parameter = z.infer<typeof parameterSchema>;

const mediaSchema = z.record(z.string(), z.looseObject({ schema: schemaObject.optional() }));

const operationSchema = z.looseObject({
  operationId: z.string().optional(),
  parameters: z.array(schemaObject).optional(),
  requestBody: z.looseObject({ content: mediaSchema }).optional(),
  responses: z.record(z.string(), z.looseObject({ content: mediaSchema.optional() })),
});
type Operation = z.infer<typeof operationSchema>;

const documentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

const FORMS = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** OpenAPI 3.0's `nullable: true` as JSON Schema says it (3.1 dropped the keyword). */
function nullableAsType(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableAsType);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = nullableAsType(value);
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

/** A parameter as described, and where its object sits in the document. */
type Declared = { parameter: Parameter; pointer: string };

export type Located = { template: string; operation: Operation; parameters: Declared[] };

const pointerPart = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');

export class OpenApiDescription {
  readonly title: string;
  readonly version: string;
  private readonly document: SchemaObject;
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(file: URL) {
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const parsed = documentSchema.parse(raw);
    this.title = parsed.info.title;
    this.version = parsed.info.version;
    const modern = parsed.openapi.startsWith('3.1');
    this.document = schemaObject.parse(modern ? raw : nullableAsType(raw));
    const options = {
      strict: false,
      validateSchema: false,
      allErrors: true,
      logger: false as const,
    };
    this.ajv = modern ? new Ajv2020(options) : new Ajv(options);
    addFormats.default(this.ajv);
    this.ajv.addSchema(this.document, 'description');
  }

  /** The operation `method path` names: a literal path before a templated one. */
  locate(method: string, path: string): Located | undefined {
    const candidates = Object.entries(this.document.paths as Record<string, SchemaObject>)
      .filter(([template]) => {
        const pattern = template
          .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          .replace(/\{[^}]+\}/g, '[^/]+');
        return new RegExp(`^${pattern}$`).test(path);
      })
      .sort(([a], [b]) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
    for (const [template, item] of candidates) {
      const found = item[method.toLowerCase()];
      if (found === undefined || !METHODS.has(method.toLowerCase())) continue;
      const operation = operationSchema.parse(found);
      const shared = z.array(schemaObject).optional().parse(item.parameters) ?? [];
      const itemPointer = `/paths/${pointerPart(template)}`;
      const parameters = [
        ...shared.map((p, i) => this.declared(p, `${itemPointer}/parameters/${i}`)),
        ...(operation.parameters ?? []).map((p, i) =>
          this.declared(p, `${itemPointer}/${method.toLowerCase()}/parameters/${i}`),
        ),
      ];
      return { template, operation, parameters };
    }
    return undefined;
  }

  private resolve(node: SchemaObject): SchemaObject {
    const ref = node.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
    return this.resolve(schemaObject.parse(this.at(ref.slice(1))));
  }

  private declared(node: SchemaObject, pointer: string): Declared {
    const at = typeof node.$ref === 'string' ? node.$ref.slice(1) : pointer;
    return { parameter: parameterSchema.parse(this.resolve(node)), pointer: at };
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `description#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }

  private validate(schema: SchemaObject, pointer: string, value: unknown): string[] {
    // Where the schema is a reference, compile it through the document (its own refs resolve).
    const validate =
      typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')
        ? this.validator(schema.$ref.slice(1))
        : this.validator(pointer);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
    );
  }

  /** What is wrong with the exchange's request, as the description has it. */
  checkRequest(exchange: Exchange): string[] {
    const where = `${exchange.method} ${exchange.path}`;
    const located = this.locate(exchange.method, exchange.path);
    if (!located) return [`${where}: no such operation in ${this.title} ${this.version}`];
    const { operation, template } = located;
    const op = `${exchange.method} ${template}`;
    const methodPointer = `/paths/${pointerPart(template)}/${exchange.method.toLowerCase()}`;
    const problems: string[] = [];
    const query = located.parameters.filter((d) => d.parameter.in === 'query');
    for (const name of new Set(exchange.query.keys())) {
      const found = query.find((d) => d.parameter.name === name);
      if (!found) {
        problems.push(`${op}: query parameter ${name} is not described`);
        continue;
      }
      const { parameter, pointer } = found;
      const value = queryValue(parameter, exchange.query.getAll(name));
      if (parameter.schema) {
        for (const error of this.validate(parameter.schema, `${pointer}/schema`, value)) {
          problems.push(`${op}: query ${name}=${exchange.query.get(name)}: ${error}`);
        }
      }
    }
    const headers = located.parameters.filter((d) => d.parameter.in === 'header');
    for (const { parameter, pointer } of headers) {
      const value = exchange.requestHeaders[parameter.name.toLowerCase()];
      if (value === undefined) {
        if (parameter.required)
          problems.push(`${op}: required header ${parameter.name} is missing`);
      } else if (parameter.schema) {
        for (const error of this.validate(parameter.schema, `${pointer}/schema`, value)) {
          problems.push(`${op}: header ${parameter.name}: ${error}`);
        }
      }
    }
    for (const { parameter: p } of query) {
      if (p.required && !exchange.query.has(p.name)) {
        problems.push(`${op}: required query parameter ${p.name} is missing`);
      }
    }
    if (exchange.requestBody.length > 0) {
      const type = exchange.requestType.split(';')[0]?.trim() ?? '';
      const content = operation.requestBody?.content ?? {};
      const media = content[type];
      // A form where only JSON is described: its fields are still read against the JSON schema.
      const readAs = media
        ? type
        : FORMS.has(type) && content['application/json']
          ? 'application/json'
          : undefined;
      const schema = readAs ? content[readAs]?.schema : undefined;
      if (!media) {
        problems.push(
          `${op}: a ${type} body, where the description takes ${Object.keys(content).join(', ') || 'none'}`,
        );
      }
      if (readAs && schema) {
        const body = this.bodyOf(exchange, type, schema);
        const pointer = `${methodPointer}/requestBody/content/${pointerPart(readAs)}/schema`;
        for (const error of this.validate(schema, pointer, body)) {
          problems.push(`${op}: request body ${error}`);
        }
      }
    }
    return problems;
  }

  /** The answer's headers that the description gives for this response, each of its schema. */
  private checkHeaders(exchange: Exchange, template: string, key: string): string[] {
    const pointer = `/paths/${pointerPart(template)}/${exchange.method.toLowerCase()}/responses/${key}/headers`;
    const response = this.resolve(schemaObject.parse(this.at(pointer.replace(/\/headers$/, ''))));
    const described = schemaObject.safeParse(response.headers);
    if (!described.success) return [];
    const problems: string[] = [];
    for (const [name, node] of Object.entries(described.data)) {
      const header = schemaObject.parse(node);
      const at =
        typeof header.$ref === 'string' ? header.$ref.slice(1) : `${pointer}/${pointerPart(name)}`;
      const resolved = this.resolve(header);
      const value = exchange.responseHeaders[name.toLowerCase()];
      if (value === undefined) {
        if (resolved.required === true)
          problems.push(
            `${exchange.method} ${template} ${exchange.status}: header ${name} is missing`,
          );
        continue;
      }
      const schema = schemaObject.safeParse(resolved.schema);
      if (!schema.success) continue;
      const typed =
        (schema.data.type === 'integer' || schema.data.type === 'number') &&
        /^-?\d+(\.\d+)?$/.test(value)
          ? Number(value)
          : value;
      for (const error of this.validate(schema.data, `${at}/schema`, typed)) {
        problems.push(
          `${exchange.method} ${template} ${exchange.status}: header ${name}: ${error}`,
        );
      }
    }
    return problems;
  }

  /** The document's node at a JSON pointer (`/components/schemas/Status`). */
  private at(pointer: string): unknown {
    let target: unknown = this.document;
    for (const part of pointer.slice(1).split('/')) {
      target = (target as SchemaObject)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return target;
  }

  /**
   * The request body as its schema reads it: JSON as it is; a form's fields as an object,
   * a file part as a placeholder string, a number where the schema has a number, a list
   * where it has an array.
   */
  private bodyOf(exchange: Exchange, type: string, schema: SchemaObject): unknown {
    const text = exchange.requestBody.toString('utf8');
    if (type === 'application/json') return JSON.parse(text);
    const fields: [string, string][] =
      type === 'multipart/form-data'
        ? (parseMultipart(exchange.requestBody, exchange.requestType) ?? []).map((part) => [
            part.name,
            part.contentType ? '(file)' : part.data.toString('utf8'),
          ])
        : [...new URLSearchParams(text)];
    const properties = schemaObject.safeParse(this.resolve(schema).properties);
    const body: Record<string, unknown> = {};
    for (const [field, value] of fields) {
      // `name[]` and a repeated name are a form's way to send a list.
      const name = field.replace(/\[\]$/, '');
      const property = properties.success ? properties.data[name] : undefined;
      const declared = property ? this.resolve(schemaObject.parse(property)) : {};
      const numeric =
        (declared.type === 'integer' || declared.type === 'number') &&
        /^-?\d+(\.\d+)?$/.test(value);
      const read = numeric ? Number(value) : value;
      if (declared.type === 'array')
        body[name] = [...(Array.isArray(body[name]) ? body[name] : []), read];
      else body[name] = read;
    }
    return body;
  }

  /** What is wrong with the exchange's answer, as the description has it. */
  checkResponse(exchange: Exchange): string[] {
    const located = this.locate(exchange.method, exchange.path);
    if (!located) return [];
    const { operation, template } = located;
    const op = `${exchange.method} ${template} ${exchange.status}`;
    const status = String(exchange.status);
    const key = [status, `${status[0]}XX`, 'default'].find((k) => operation.responses[k]);
    if (!key)
      return [
        `${op}: the status is not described (${Object.keys(operation.responses).join(', ')})`,
      ];
    const headers = this.checkHeaders(exchange, template, key);
    const type = exchange.responseType.split(';')[0]?.trim() ?? '';
    const content = operation.responses[key]?.content;
    if (!content)
      return exchange.responseBody.length > 0 ? [`${op}: a body where none is described`] : [];
    const media = content[type];
    if (!media)
      return [
        `${op}: a ${type} answer, where the description gives ${Object.keys(content).join(', ')}`,
      ];
    if (!media.schema) return headers;
    const body: unknown = JSON.parse(exchange.responseBody.toString('utf8'));
    const pointer = `/paths/${pointerPart(template)}/${exchange.method.toLowerCase()}/responses/${key}/content/${pointerPart(type)}/schema`;
    return [
      ...headers,
      ...this.validate(media.schema, pointer, body).map((error) => `${op}: ${error}`),
    ];
  }
}

/** A query value as its schema reads it: a comma-separated list, a number, a boolean. */
function queryValue(parameter: Parameter, values: string[]): unknown {
  const schema = parameter.schema ?? {};
  const typed = (value: string, type: unknown) => {
    if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value))
      return Number(value);
    if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
    return value;
  };
  if (schema.type === 'array') {
    const items = schemaObject.safeParse(schema.items);
    const itemType = items.success ? items.data.type : undefined;
    const parts =
      parameter.name.endsWith('[]') || values.length > 1
        ? values
        : values.flatMap((v) => v.split(','));
    return parts.map((part) => typed(part, itemType));
  }
  return typed(values[0] ?? '', schema.type);
}
