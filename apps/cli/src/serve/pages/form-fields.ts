import { destinationModule, type DestinationType } from '@ferry/destinations';
import { z } from 'zod';
import { sshTunnel } from '../../config/schema.ts';
import { html, type Html } from './html.ts';

/** One input of the connection form, derived from the destination module's ferry.yaml fields. */
export interface FormField {
  readonly name: string;
  readonly label: string;
  readonly kind: 'text' | 'password' | 'number' | 'textarea' | 'select';
  readonly required: boolean;
  readonly placeholder?: string;
  readonly options?: readonly string[];
  readonly help?: string;
}

/** Fields a customer never types: Ferry's own timeouts and keepalives (their defaults apply). */
const NOT_ASKED = new Set(['connect_timeout', 'keepalive_interval', 'keepalive_count_max']);
const SECRET_INPUTS = new Set(['password', 'passphrase']);
const PLACEHOLDERS: Record<string, string> = {
  url: 'postgres://ferry@db.example.com:5432/analytics',
  schema: 'ferry',
  host_key: 'SHA256:…',
  account: 'xy12345.eu-central-1',
};

function fieldsOf(shape: z.ZodRawShape): FormField[] {
  const schema = z.toJSONSchema(z.object(shape), { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, { type?: string; enum?: string[]; default?: unknown; description?: string }>;
    required?: string[];
  };
  return Object.entries(schema.properties)
    .filter(([name]) => !NOT_ASKED.has(name))
    .map(([name, property]) => ({
      name,
      label: name.replaceAll('_', ' '),
      kind: property.enum
        ? 'select'
        : name === 'private_key'
          ? 'textarea'
          : SECRET_INPUTS.has(name)
            ? 'password'
            : property.type === 'integer' || property.type === 'number'
              ? 'number'
              : 'text',
      required: (schema.required ?? []).includes(name) && property.default === undefined,
      ...(PLACEHOLDERS[name] ? { placeholder: PLACEHOLDERS[name] } : property.default !== undefined ? { placeholder: String(property.default) } : {}),
      ...(property.enum ? { options: property.enum } : {}),
      ...(property.description ? { help: property.description } : {}),
    }));
}

/** The connection fields of a destination type. */
export function connectionFields(type: DestinationType): FormField[] {
  return fieldsOf(destinationModule(type).fields);
}

/** The SSH bastion's fields, prefixed `ssh_` in the form. */
export function sshFields(): FormField[] {
  return fieldsOf(sshTunnel.shape).filter((f) => f.name !== 'private_key_file');
}

/** Inputs for `fields`, named `prefix + name`, holding `values` (what the customer typed, for a form shown again). */
export function inputs(fields: readonly FormField[], prefix: string, values: Record<string, string>): Html {
  return html`${fields.map((field) => {
    const name = `${prefix}${field.name}`;
    const value = values[name] ?? '';
    const label = html`<label for="${name}">${field.label}${field.required ? '' : html` <small>(optional)</small>`}</label>`;
    if (field.kind === 'textarea') {
      return html`${label}<textarea id="${name}" name="${name}" class="secret" autocomplete="off" spellcheck="false">${value}</textarea>`;
    }
    if (field.kind === 'select') {
      return html`${label}<select id="${name}" name="${name}">${(field.options ?? []).map(
        (option) => html`<option value="${option}"${option === value ? html` selected` : ''}>${option}</option>`,
      )}</select>`;
    }
    const type = field.kind === 'password' ? 'password' : field.kind === 'number' ? 'number' : 'text';
    return html`${label}<input id="${name}" name="${name}" type="${type}" value="${value}" placeholder="${field.placeholder ?? ''}" autocomplete="off"${
      field.required ? html` required` : ''
    }>`;
  })}`;
}

/**
 * The ferry.yaml-shaped entry the form describes: empty inputs left out, numbers as numbers, an
 * `ssh` section when a bastion host is given.
 */
export function entryFromForm(type: DestinationType, form: Record<string, string>): Record<string, unknown> {
  const pick = (fields: readonly FormField[], prefix: string) =>
    Object.fromEntries(
      fields.flatMap((field) => {
        const raw = form[`${prefix}${field.name}`];
        if (raw === undefined || raw.trim() === '') return [];
        // Keys and passwords as typed; other fields without stray spaces.
        const value = field.kind === 'password' || field.kind === 'textarea' ? raw : raw.trim();
        return [
          [field.name, field.kind === 'number' ? Number(value) : field.name === 'private_key' ? `${value.replace(/\r\n/g, '\n').trim()}\n` : value],
        ];
      }),
    );
  const entry: Record<string, unknown> = { type, ...pick(connectionFields(type), '') };
  if (destinationModule(type).reach.sshTunnel && (form.ssh_host ?? '').trim() !== '') entry.ssh = pick(sshFields(), 'ssh_');
  return entry;
}
