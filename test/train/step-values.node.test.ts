// A step's values may be offered by one observer (the device-loss guard's snapshot read)
// and then never asked for, when that read fails: the device was lost and fit moves to
// the next backend. The failure is the offering observer's to report; the offered copy
// must not also reach Node as an unhandled rejection (Vitest counts those as errors).
import { afterEach, describe, expect, it } from 'vitest';
import { StepValues } from '../../src/step-observer.js';

describe('StepValues.offer', () => {
  const seen: unknown[] = [];
  const record = (reason: unknown): void => void seen.push(reason);
  afterEach(() => {
    process.off('unhandledRejection', record);
    seen.length = 0;
  });

  it('a failed offered read that nobody asks for raises no unhandled rejection', async () => {
    process.on('unhandledRejection', record);
    const values = new StepValues([]);
    const lost = new Error('webgpu read: the GPU device was lost');
    values.offer(Promise.reject(lost));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([]);
  });

  it('whoever asks for the numbers still gets the failure', async () => {
    const values = new StepValues([]);
    const lost = new Error('webgpu read: the GPU device was lost');
    values.offer(Promise.reject(lost));
    await expect(values.numbers()).rejects.toBe(lost);
  });

  it('the first offer wins and a second is ignored', async () => {
    const values = new StepValues([]);
    values.offer(Promise.resolve([1, 2]));
    values.offer(Promise.resolve([3, 4]));
    expect(Array.from(await values.numbers())).toEqual([1, 2]);
  });
});
