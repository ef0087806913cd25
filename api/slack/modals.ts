/**
 * Muster's modals: what each shows, and what its submission does. A submission is checked
 * against the same rules the workflow runs; problems go back into the modal, next to the field
 * (response_action: errors), before the ack. Accepted ones are acked at once and then applied;
 * the result is posted to the response_url of the command (or click) that opened the modal.
 */
import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import {
  PRIORITIES,
  SEVERITIES,
  VISIBILITIES,
  type DeclareIncidentInput,
  type IncidentChanges,
  type IncidentState,
  type Person,
  type Priority,
  type Severity,
  type Visibility,
} from '../../domain/incident';
import { IncidentRuleError, normalizeDeclaration, validateChanges } from '../../domain/rules';
import { blockFor, checkboxInput, modal, section, selectInput, Submitted, textInput } from './blocks';
import type { SlackContext } from './context';
import { announceWhenReady } from './declare-progress';

/** Carried in a modal's private_metadata: where to answer and which incident it is about. */
export interface ModalMetadata {
  responseUrl?: string;
  channel?: string;
  incidentId?: string;
}

export const CALLBACKS = {
  declare: 'muster_declare',
  update: 'muster_update',
  engageOncall: 'muster_engage_oncall',
  tactical: 'muster_report_tactical',
  executive: 'muster_report_executive',
  feedback: 'muster_feedback_submit',
} as const;

const DECLARE_BLOCKS = ['title', 'description', 'type', 'severity', 'priority', 'tags', 'visibility'];
const UPDATE_BLOCKS = ['title', 'description', 'type', 'severity', 'priority', 'visibility'];

export function declareModal(ctx: SlackContext, metadata: ModalMetadata) {
  const { incidentTypes, defaultType } = ctx.client.settings;
  return modal(CALLBACKS.declare, 'Declare an incident', 'Declare', [
    textInput('title', 'Title', { max: 200, placeholder: 'What is wrong, in a few words' }),
    textInput('description', 'Description', { multiline: true, optional: true }),
    selectInput('type', 'Type', incidentTypes, { initial: defaultType }),
    selectInput('severity', 'Severity', SEVERITIES, { initial: 'Undetermined' }),
    selectInput('priority', 'Priority', PRIORITIES, { initial: 'Medium' }),
    textInput('tags', 'Tags', { optional: true, placeholder: 'comma separated, e.g. payments, eu-west' }),
    selectInput('visibility', 'Visibility', VISIBILITIES, { initial: 'Open' }),
  ], metadata);
}

export function updateModal(ctx: SlackContext, incident: IncidentState, metadata: ModalMetadata) {
  return modal(CALLBACKS.update, `Update ${incident.id}`, 'Update', [
    textInput('title', 'Title', { initial: incident.title, max: 200 }),
    textInput('description', 'Description', { initial: incident.description, multiline: true, optional: true }),
    selectInput('type', 'Type', ctx.client.settings.incidentTypes, { initial: incident.type }),
    selectInput('severity', 'Severity', SEVERITIES, { initial: incident.severity }),
    selectInput('priority', 'Priority', PRIORITIES, { initial: incident.priority }),
    selectInput('visibility', 'Visibility', VISIBILITIES, { initial: incident.visibility }),
  ], metadata);
}

export function engageOncallModal(incidentId: string, metadata: ModalMetadata) {
  return modal(CALLBACKS.engageOncall, 'Engage on-call', 'Engage', [
    section(`Add the current on-call of a service to *${incidentId}*.`),
    textInput('service', 'On-call service', { placeholder: 'service name or PagerDuty id' }),
    checkboxInput('page', 'Page them', 'Also page them in PagerDuty'),
  ], metadata);
}

export function tacticalModal(incidentId: string, metadata: ModalMetadata) {
  return modal(CALLBACKS.tactical, 'Tactical report', 'Post', [
    section(`Tactical report for *${incidentId}*`),
    textInput('conditions', 'Conditions', { multiline: true, placeholder: 'What is the situation now?' }),
    textInput('actions', 'Actions', { multiline: true, placeholder: 'What are we doing?' }),
    textInput('needs', 'Needs', { multiline: true, placeholder: 'What do we need?' }),
  ], metadata);
}

export function executiveModal(incidentId: string, metadata: ModalMetadata) {
  return modal(CALLBACKS.executive, 'Executive report', 'Post', [
    section(`Executive report for *${incidentId}*`),
    textInput('currentStatus', 'Current status', { multiline: true }),
    textInput('overview', 'Overview', { multiline: true }),
    textInput('nextSteps', 'Next steps', { multiline: true }),
  ], metadata);
}

export function feedbackModal(incidentId: string, metadata: ModalMetadata) {
  return modal(CALLBACKS.feedback, 'Incident feedback', 'Send', [
    section(`How did the response to *${incidentId}* go for you?`),
    selectInput('rating', 'Rating', ['1', '2', '3', '4', '5'], { labels: { '1': '1 - very poor', '2': '2 - poor', '3': '3 - fair', '4': '4 - good', '5': '5 - very good' } }),
    textInput('text', 'Anything to add?', { multiline: true, optional: true }),
    checkboxInput('anonymous', 'Anonymous', 'Do not record my name with it'),
  ], metadata);
}

type Checked<T> = { errors: Record<string, string>; value?: never } | { value: T; errors?: never };

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const metadataOf = (view: ViewSubmitAction['view']): ModalMetadata => {
  try {
    return JSON.parse(view.private_metadata || '{}') as ModalMetadata;
  } catch {
    return {};
  }
};

/** Field errors for the modal, from a rule error or a list of checks. */
const errorsFrom = (err: IncidentRuleError, blocks: readonly string[]) => ({ response_action: 'errors' as const, errors: { [blockFor(err.field, blocks)]: err.message } });

/** What the modals hand their values to (api/slack/extensions.ts). */
export interface ModalActions {
  engageOncall(incidentId: string, request: { service: string; page: boolean; actor: string }): Promise<string>;
  postTactical(incidentId: string, report: { conditions: string; actions: string; needs: string; actor: string }): Promise<string>;
  postExecutive(incidentId: string, report: { currentStatus: string; overview: string; nextSteps: string; actor: string }): Promise<string>;
  submitFeedback(incidentId: string, feedback: { person: Person; rating: number; text?: string; anonymous: boolean }): Promise<string>;
}

export function registerModals(app: App, ctx: SlackContext, actions: ModalActions): void {
  app.view(CALLBACKS.declare, async ({ ack, view, body }: ViewArgs) => {
    const values = new Submitted(view.state.values as never);
    const metadata = metadataOf(view);
    let reporter: Person;
    try {
      reporter = await ctx.person(body.user.id);
    } catch (err) {
      await ack({ response_action: 'errors', errors: { title: ctx.explain(err) } });
      return;
    }
    const declaration: DeclareIncidentInput = {
      title: values.text('title') ?? '',
      description: values.text('description'),
      type: values.text('type'),
      severity: values.text('severity') as Severity | undefined,
      priority: values.text('priority') as Priority | undefined,
      visibility: values.text('visibility') as Visibility | undefined,
      tags: values.text('tags')?.split(',').map((tag) => tag.trim()).filter(Boolean),
      reporter,
    };
    try {
      normalizeDeclaration(declaration, ctx.client.settings);
    } catch (err) {
      if (err instanceof IncidentRuleError) return void (await ack(errorsFrom(err, DECLARE_BLOCKS)));
      throw err;
    }
    await ack();
    try {
      // The view id makes a retried submission return the incident the first one declared.
      const { incident } = await ctx.client.declare(declaration, { idempotencyKey: `slack-${view.id}` });
      await ctx.respond(metadata.responseUrl, `Declared *${incident.id}*: ${incident.title}. You are its commander; its channel is being made and will be linked here.`);
      await announceWhenReady(ctx, incident.id, metadata.responseUrl);
    } catch (err) {
      await ctx.respond(metadata.responseUrl, ctx.explain(err));
    }
  });

  app.view(CALLBACKS.update, async ({ ack, view, body }: ViewArgs) => {
    const values = new Submitted(view.state.values as never);
    const metadata = metadataOf(view);
    const incidentId = metadata.incidentId!;
    let changes: IncidentChanges;
    let actor: Person;
    try {
      actor = await ctx.person(body.user.id);
      const incident = await ctx.client.get(incidentId);
      ctx.assertDirects(incident, actor, 'update it');
      const asked: IncidentChanges = {
        title: values.text('title') ?? '',
        description: values.text('description') ?? '',
        type: values.text('type'),
        severity: values.text('severity') as Severity | undefined,
        priority: values.text('priority') as Priority | undefined,
        visibility: values.text('visibility') as Visibility | undefined,
      };
      for (const key of Object.keys(asked) as Array<keyof IncidentChanges>) if (asked[key] === undefined) delete asked[key];
      changes = validateChanges(incident, asked, ctx.client.settings).normalized;
    } catch (err) {
      if (err instanceof IncidentRuleError) return void (await ack(errorsFrom(err, UPDATE_BLOCKS)));
      return void (await ack({ response_action: 'errors', errors: { title: ctx.explain(err) } }));
    }
    await ack();
    try {
      const updated = await ctx.client.update(incidentId, changes, actor.email);
      await ctx.respond(metadata.responseUrl, `Updated *${updated.id}*: ${Object.keys(changes).join(', ')}.`);
    } catch (err) {
      await ctx.respond(metadata.responseUrl, ctx.explain(err));
    }
  });

  /** Modals whose work belongs to another part of Muster: check the fields, ack, then hand over. */
  const handOver = <T>(callback: string, read: (values: Submitted) => Checked<T>, run: (incidentId: string, value: T, actor: Person) => Promise<string>) => {
    app.view(callback, async ({ ack, view, body }: ViewArgs) => {
      const metadata = metadataOf(view);
      const checked = read(new Submitted(view.state.values as never));
      if (checked.errors) return void (await ack({ response_action: 'errors', errors: checked.errors }));
      await ack();
      try {
        const actor = await ctx.person(body.user.id);
        await ctx.respond(metadata.responseUrl, await run(metadata.incidentId!, checked.value as T, actor));
      } catch (err) {
        await ctx.respond(metadata.responseUrl, ctx.explain(err));
      }
    });
  };
  const required = (values: Submitted, fields: string[], max = 4_000): Checked<Record<string, string>> => {
    const errors: Record<string, string> = {};
    const out: Record<string, string> = {};
    for (const field of fields) {
      const text = values.text(field)?.trim();
      if (!text) errors[field] = 'Please fill this in.';
      else if (text.length > max) errors[field] = `At most ${max} characters.`;
      else out[field] = text;
    }
    return Object.keys(errors).length ? { errors } : { value: out };
  };

  handOver<{ service: string; page: boolean }>(CALLBACKS.engageOncall, (values) => {
    const service = values.text('service')?.trim();
    return service ? { value: { service, page: values.checked('page') } } : { errors: { service: 'Name the on-call service.' } };
  }, async (incidentId, value, actor) =>
    actions.engageOncall(incidentId, { ...value, actor: actor.email }));

  handOver(CALLBACKS.tactical, (values) => required(values, ['conditions', 'actions', 'needs']), async (incidentId, value, actor) =>
    actions.postTactical(incidentId, { conditions: value.conditions!, actions: value.actions!, needs: value.needs!, actor: actor.email }));

  handOver(CALLBACKS.executive, (values) => required(values, ['currentStatus', 'overview', 'nextSteps']), async (incidentId, value, actor) =>
    actions.postExecutive(incidentId, { currentStatus: value.currentStatus!, overview: value.overview!, nextSteps: value.nextSteps!, actor: actor.email }));

  handOver<{ rating: number; text?: string; anonymous: boolean }>(CALLBACKS.feedback, (values): Checked<{ rating: number; text?: string; anonymous: boolean }> => {
    const rating = Number(values.text('rating'));
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) return { errors: { rating: 'Choose a rating from 1 to 5.' } };
    const text = values.text('text')?.trim();
    if (text && text.length > 4_000) return { errors: { text: 'At most 4000 characters.' } };
    return { value: { rating, text, anonymous: values.checked('anonymous') } };
  }, async (incidentId, value, person) =>
    actions.submitFeedback(incidentId, { person, ...value }));
}
