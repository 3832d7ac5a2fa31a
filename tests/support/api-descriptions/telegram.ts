/**
 * Checks recorded Bot API exchanges against the Bot API's machine-readable description
 * (methods with their fields and return types, types with their fields): the method
 * exists, every parameter is one of its fields with a value of a described type and
 * every required one is there; `result` is of a return type, every field of every object
 * in it described, typed as described, and the required ones present.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { Exchange } from './recorder';

const fieldSchema = z.looseObject({
  name: z.string(),
  types: z.array(z.string()),
  required: z.boolean(),
});
type Field = z.infer<typeof fieldSchema>;

const descriptionSchema = z.looseObject({
  version: z.string(),
  methods: z.record(
    z.string(),
    z.looseObject({ fields: z.array(fieldSchema).optional(), returns: z.array(z.string()) }),
  ),
  types: z.record(
    z.string(),
    z.looseObject({
      fields: z.array(fieldSchema).optional(),
      subtypes: z.array(z.string()).optional(),
    }),
  ),
});

const answerSchema = z.union([
  z.strictObject({ ok: z.literal(true), result: z.unknown() }),
  z.strictObject({
    ok: z.literal(false),
    error_code: z.number().int(),
    description: z.string(),
    parameters: z.unknown().optional(),
  }),
]);

export class BotApiDescription {
  readonly version: string;
  private readonly description: z.infer<typeof descriptionSchema>;

  constructor(file: URL) {
    this.description = descriptionSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    this.version = this.description.version;
  }

  private methodOf(exchange: Exchange) {
    const name = /^\/bot\d+:[\w-]+\/(\w+)$/.exec(exchange.path)?.[1] ?? '';
    return { name, method: this.description.methods[name] };
  }

  /** Problems of `value` as one of `types` (`Array of X`, `Integer`, a type's name...). */
  private fits(value: unknown, types: string[], where: string): string[] {
    const attempts = types.map((type) => this.fitsOne(value, type, where));
    return attempts.find((problems) => problems.length === 0) ?? attempts[0] ?? [];
  }

  private fitsOne(value: unknown, type: string, where: string): string[] {
    const array = /^Array of (.+)$/.exec(type);
    if (array?.[1]) {
      if (!Array.isArray(value)) return [`${where}: not an array (${type})`];
      return value.flatMap((item, i) => this.fitsOne(item, array[1] ?? '', `${where}[${i}]`));
    }
    switch (type) {
      case 'Integer':
        return Number.isInteger(value) ? [] : [`${where}: not an Integer`];
      case 'Float':
        return typeof value === 'number' ? [] : [`${where}: not a Float`];
      case 'String':
        return typeof value === 'string' ? [] : [`${where}: not a String`];
      case 'Boolean':
        return typeof value === 'boolean' ? [] : [`${where}: not a Boolean`];
      case 'InputFile':
        return [`${where}: an InputFile is sent as multipart, not in JSON`];
    }
    const described = this.description.types[type];
    if (!described) return [`${where}: ${type} is not a described type`];
    if (described.subtypes) return this.fits(value, described.subtypes, where);
    return this.object(value, described.fields ?? [], `${where} (${type})`);
  }

  private object(value: unknown, fields: Field[], where: string): string[] {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return [`${where}: not an object`];
    }
    const problems: string[] = [];
    for (const [name, item] of Object.entries(value)) {
      const field = fields.find((f) => f.name === name);
      if (!field) problems.push(`${where}: ${name} is not a described field`);
      else problems.push(...this.fits(item, field.types, `${where}.${name}`));
    }
    for (const field of fields) {
      if (field.required && !(field.name in value))
        problems.push(`${where}: required ${field.name} is missing`);
    }
    return problems;
  }

  checkRequest(exchange: Exchange): string[] {
    const { name, method } = this.methodOf(exchange);
    if (!method)
      return [`${exchange.path}: ${name || 'the path'} is not a method of Bot API ${this.version}`];
    if (exchange.method !== 'POST' && exchange.method !== 'GET')
      return [`${name}: sent with ${exchange.method}`];
    const type = exchange.requestType.split(';')[0]?.trim() ?? '';
    let params: unknown = Object.fromEntries(exchange.query);
    if (exchange.requestBody.length > 0) {
      if (type !== 'application/json') return [`${name}: a ${type} body is not checked here`];
      params = JSON.parse(exchange.requestBody.toString('utf8'));
    }
    return this.object(params, method.fields ?? [], name);
  }

  checkResponse(exchange: Exchange): string[] {
    const { name, method } = this.methodOf(exchange);
    if (!method) return [];
    if (!exchange.responseType.startsWith('application/json')) {
      return [
        `${name} ${exchange.status}: a ${exchange.responseType} answer, not the Bot API's JSON`,
      ];
    }
    const answer = answerSchema.safeParse(JSON.parse(exchange.responseBody.toString('utf8')));
    if (!answer.success)
      return [`${name} ${exchange.status}: not a Bot API answer: ${answer.error.message}`];
    if (!answer.data.ok) {
      const { parameters } = answer.data;
      const problems =
        parameters === undefined
          ? []
          : this.fitsOne(parameters, 'ResponseParameters', `${name} parameters`);
      return exchange.status === answer.data.error_code
        ? problems
        : [
            ...problems,
            `${name}: status ${exchange.status} with error_code ${answer.data.error_code}`,
          ];
    }
    if (exchange.status !== 200) return [`${name}: ok answer with status ${exchange.status}`];
    return this.fits(answer.data.result, method.returns, `${name} result`);
  }
}
