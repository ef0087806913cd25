import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { resendUnprocessed } from '../../client/muster-client';

const refused = (type: string) => new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type, message: type, nonRetryable: true }));

describe('resendUnprocessed', () => {
  it('sends again an update the server refused as never processed by a worker', async () => {
    const outcomes = [refused('UnprocessedUpdate'), 'done'];
    let sends = 0;
    const result = await resendUnprocessed(async () => {
      const next = outcomes[sends++];
      if (next instanceof Error) throw next;
      return next;
    });
    expect(result).toBe('done');
    expect(sends).toBe(2);
  });

  it('does not send again an update the workflow refused', async () => {
    let sends = 0;
    const refusal = refused('invalid_transition');
    await expect(
      resendUnprocessed(async () => {
        sends++;
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(sends).toBe(1);
  });

  it('gives up after three sends', async () => {
    let sends = 0;
    await expect(
      resendUnprocessed(async () => {
        sends++;
        throw refused('UnprocessedUpdate');
      }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect(sends).toBe(3);
  });
});
