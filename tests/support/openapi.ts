/**
 * Contract checks against the vendors' published OpenAPI 3.0 documents: find the operation a
 * logged request hit, validate its request body and its response body with ajv. The specs are
 * megabytes; ajv is given the whole document once and compiles only the schemas a check needs
 * (a `$ref` into the document), so nothing unused is compiled.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const projectRoot = resolve(__dirname, '..', '..');
/** The vendors' specs live beside the repository, in the shared folder. */
export const SPECS_DIR = join(projectRoot, '..', 'shared', 'specs');

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const SPEC_ID = 'spec';

type Json = Record<string, unknown>;

export interface SpecOperation {
  method: string;
  /** The path template as the spec writes it, e.g. /rest/api/3/issue/{issueIdOrKey} */
  template: string;
  /** JSON pointer of the operation object in the document. */
  pointer: string;
  operation: Json;
}

const escapePointer = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * OpenAPI 3.0 is not JSON Schema: `nullable: true` and draft-04 boolean exclusiveMinimum/Maximum
 * are rewritten into what ajv (draft-07) understands, meaning unchanged.
 */
function toJsonSchemaDialect(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchemaDialect);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = toJsonSchemaDialect(value);
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[flag] !== 'boolean') continue;
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound];
      delete out[bound];
    } else delete out[flag];
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string' && out.$ref === undefined) {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

export class OpenApiSpec {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly operations: Array<SpecOperation & { regex: RegExp; literals: number }> = [];
  /** Path prefix of the spec's server URL (Events v2: /v2), stripped before matching. */
  readonly basePath: string;

  constructor(
    readonly name: string,
    private readonly doc: Json,
  ) {
    const servers = (doc.servers as Array<{ url: string }> | undefined) ?? [];
    this.basePath = servers[0] ? new URL(servers[0].url).pathname.replace(/\/+$/, '') : '';
    for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const method of METHODS) {
        if (!item[method]) continue;
        const segments = template.split('/');
        const regex = new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`);
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pointer: `#/paths/${escapePointer(template)}/${method}`,
          operation: item[method] as Json,
          regex,
          literals: segments.filter((s) => !s.startsWith('{')).length,
        });
      }
    }
    // Strict mode off: OpenAPI adds keywords (example, discriminator, xml, x-*) and formats
    // (int64, tzinfo, ...) that JSON Schema does not know; they are ignored, not errors.
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
    addFormats(this.ajv);
    this.ajv.addSchema(toJsonSchemaDialect(doc) as Json, SPEC_ID);
  }

  static load(relativePath: string): OpenApiSpec {
    const file = join(SPECS_DIR, relativePath);
    return new OpenApiSpec(relativePath, JSON.parse(readFileSync(file, 'utf8')) as Json);
  }

  /** The operation for a method and concrete path; a literal segment beats a template one. */
  findOperation(method: string, path: string): SpecOperation | undefined {
    if (!path.startsWith(this.basePath)) return undefined;
    const local = path.slice(this.basePath.length) || '/';
    return this.operations
      .filter((op) => op.method === method.toUpperCase() && op.regex.test(local))
      .sort((a, b) => b.literals - a.literals)
      .map(({ method: m, template, pointer, operation }) => ({ method: m, template, pointer, operation }))[0];
  }

  /** Follows a local `$ref` (responses and request bodies may be references). */
  private deref(value: Json, pointer: string): { value: Json; pointer: string } {
    let current = { value, pointer };
    for (let hops = 0; typeof current.value.$ref === 'string' && hops < 10; hops++) {
      const target = current.value.$ref as string;
      current = { value: this.at(target), pointer: target };
    }
    return current;
  }

  private at(pointer: string): Json {
    const parts = pointer.replace(/^#\/?/, '').split('/').filter(Boolean).map(unescapePointer);
    return parts.reduce<Json>((node, part) => (node?.[part] ?? undefined) as Json, this.doc);
  }

  /** Validates data against the schema at a pointer of the spec, or an inline schema whose $refs point into it (`spec#/...`). */
  validate(schema: string | Json, data: unknown): string[] {
    const key = typeof schema === 'string' ? schema : JSON.stringify(schema);
    let validator = this.compiled.get(key);
    if (!validator) {
      validator = this.ajv.compile(typeof schema === 'string' ? { $ref: `${SPEC_ID}${schema}` } : schema);
      this.compiled.set(key, validator);
    }
    return validator(data) ? [] : formatErrors(validator.errors ?? []);
  }

  private jsonSchemaOf(content: Json | undefined, pointer: string): string | undefined {
    if (!content) return undefined;
    const mediaType = Object.keys(content).find((type) => /json/.test(type));
    if (!mediaType || !(content[mediaType] as Json | undefined)?.schema) return undefined;
    return `${pointer}/content/${escapePointer(mediaType)}/schema`;
  }

  validateRequest(op: SpecOperation, body: unknown): string[] {
    const declared = op.operation.requestBody as Json | undefined;
    if (!declared) return body === undefined ? [] : ['the operation takes no request body'];
    const { value, pointer } = this.deref(declared, `${op.pointer}/requestBody`);
    if (body === undefined) return value.required ? ['the request body is required'] : [];
    const schema = this.jsonSchemaOf(value.content as Json | undefined, pointer);
    return schema ? this.validate(schema, body) : [];
  }

  validateResponse(op: SpecOperation, status: number, body: unknown): string[] {
    const responses = op.operation.responses as Record<string, Json>;
    const code = [String(status), `${String(status)[0]}XX`, 'default'].find((c) => responses[c]);
    if (!code) return [`status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const { value, pointer } = this.deref(responses[code]!, `${op.pointer}/responses/${code}`);
    if (body === undefined || body === '') return [];
    const schema = this.jsonSchemaOf(value.content as Json | undefined, pointer);
    return schema ? this.validate(schema, body) : [];
  }
}

export function formatErrors(errors: ErrorObject[]): string[] {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
}
