/**
 * The editor API's OpenAPI 3.1 document, written from the zod schemas its routes
 * validate with (zod's own JSON Schema output), so the document is the code's contract.
 */
import { z } from 'zod';
import { COMPONENTS, EDITOR_ROUTES, type EditorRoute } from './editor-routes';

type JsonObject = Record<string, unknown>;

const COMPONENT_URI = (id: string) => `#/components/schemas/${id}`;

/** JSON Schema keywords that mean nothing inside an OpenAPI document's schemas. */
function bare(schema: JsonObject): JsonObject {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function components(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: COMPONENT_URI, unrepresentable: 'any' });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, bare(schema)]));
}

/** `$ref` to a named component, or the schema written out where it has no name. */
function schemaRef(schema: z.ZodType): JsonObject {
  for (const [id, named] of Object.entries(COMPONENTS)) {
    if (named === schema) return { $ref: COMPONENT_URI(id) };
  }
  return bare(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }));
}

function parameters(where: 'path' | 'query', shape: z.ZodObject | undefined): JsonObject[] {
  if (!shape) return [];
  return Object.entries(shape.shape).map(([name, field]) => {
    // Parameters arrive as strings, before coercion and defaults: the input side.
    const schema = bare(z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }));
    const { description, ...rest } = schema;
    return {
      name,
      in: where,
      required: where === 'path' || !field.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function operation(route: EditorRoute): JsonObject {
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, answer]) => [
      status,
      {
        description: answer.description,
        content: { 'application/json': { schema: schemaRef(answer.schema) } },
      },
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    parameters: [...parameters('path', route.path), ...parameters('query', route.query)],
    ...(route.body
      ? {
          requestBody: {
            required: route.bodyRequired ?? false,
            content: { 'application/json': { schema: schemaRef(route.body) } },
          },
        }
      : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly EditorRoute[] = EDITOR_ROUTES): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const [method = '', path = ''] = route.routeKey.split(' ');
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Crier editor API',
      version: '1',
      description:
        'Articles and their shares, and what editors do with them. Every route wants `Authorization: Bearer <token>`: a Cognito ID token of a member of the `editor` or `admin` group in AWS, the `CRIER_EDITOR_TOKEN` locally.',
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: components(),
    },
  };
}
