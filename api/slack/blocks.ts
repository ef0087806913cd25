/**
 * Block Kit building blocks for Muster's modals, and reading a submitted modal's values. Each
 * input's block_id is the field's name, so a rule error's field names the block to mark.
 */
import type { View } from '@slack/types';

export type Block = Record<string, unknown>;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const option = (value: string, label = value) => ({ text: plain(label), value });

export function textInput(field: string, label: string, options: { initial?: string; multiline?: boolean; optional?: boolean; placeholder?: string; max?: number } = {}): Block {
  return {
    type: 'input',
    block_id: field,
    optional: options.optional ?? false,
    label: plain(label),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      multiline: options.multiline ?? false,
      ...(options.initial ? { initial_value: options.initial } : {}),
      ...(options.placeholder ? { placeholder: plain(options.placeholder) } : {}),
      ...(options.max ? { max_length: options.max } : {}),
    },
  };
}

export function selectInput(field: string, label: string, values: readonly string[], options: { initial?: string; optional?: boolean; labels?: Record<string, string> } = {}): Block {
  return {
    type: 'input',
    block_id: field,
    optional: options.optional ?? false,
    label: plain(label),
    element: {
      type: 'static_select',
      action_id: 'value',
      options: values.map((v) => option(v, options.labels?.[v] ?? v)),
      ...(options.initial && values.includes(options.initial) ? { initial_option: option(options.initial, options.labels?.[options.initial] ?? options.initial) } : {}),
    },
  };
}

export function checkboxInput(field: string, label: string, choice: string): Block {
  return { type: 'input', block_id: field, optional: true, label: plain(label), element: { type: 'checkboxes', action_id: 'value', options: [option('yes', choice)] } };
}

export function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

export function modal(callbackId: string, title: string, submit: string, blocks: Block[], metadata: unknown): View {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title.slice(0, 24)),
    submit: plain(submit),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks: blocks as unknown as View['blocks'],
  };
}

interface SubmittedValue {
  type?: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: Array<{ value: string }>;
}

/** Reads a submitted modal: text, the chosen option, or a ticked checkbox, by block id. */
export class Submitted {
  constructor(private readonly values: Record<string, Record<string, SubmittedValue>>) {}

  private raw(field: string): SubmittedValue | undefined {
    return this.values[field]?.value;
  }

  text(field: string): string | undefined {
    const value = this.raw(field);
    const text = value?.value ?? value?.selected_option?.value ?? undefined;
    return text === undefined || text === null || text.trim() === '' ? undefined : text;
  }

  checked(field: string): boolean {
    return (this.raw(field)?.selected_options?.length ?? 0) > 0;
  }
}

/** The modal block an error is shown on: tags[2] -> tags, reporter.email -> the first block. */
export function blockFor(field: string | undefined, blocks: readonly string[]): string {
  const base = field?.split(/[.[]/)[0];
  return base && blocks.includes(base) ? base : blocks[0]!;
}
