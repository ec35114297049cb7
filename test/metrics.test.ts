// Scores over a data set (wg.metrics.*) against hand-computed values and scikit-learn's
// documented examples and semantics (rows of the confusion matrix are true classes; a
// ratio with a zero denominator is 0, not an error).
import { describe, expect, it } from 'vitest';
import * as wg from '../src/index.js';

const { metrics } = wg;

describe('classification scores', () => {
  // true 0: predicted 0,1   true 1: 1,1   true 2: 2,0,0
  const yTrue = [0, 0, 1, 1, 2, 2, 2];
  const yPred = [0, 1, 1, 1, 2, 0, 0];

  it('confusion matrix: rows are true classes, columns predicted', () => {
    expect(metrics.confusionMatrix(yTrue, yPred)).toEqual([[1, 1, 0], [0, 2, 0], [2, 0, 1]]);
    expect(metrics.confusionMatrix([1], [1], { numClasses: 3 })).toEqual([[0, 0, 0], [0, 1, 0], [0, 0, 0]]);
    expect(() => metrics.confusionMatrix([3], [0], { numClasses: 3 })).toThrow('label 3 at position 0 is outside the 3 classes');
  });

  it('precision, recall and F1 per class, macro and weighted, by hand', () => {
    const r = metrics.classificationReport(yTrue, yPred);
    expect(r.accuracy).toBeCloseTo(4 / 7, 12);
    const expected = [
      { precision: 1 / 3, recall: 1 / 2, f1: 0.4, support: 2 },
      { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
      { precision: 1, recall: 1 / 3, f1: 0.5, support: 3 },
    ];
    r.perClass.forEach((c, i) => {
      expect(c.precision).toBeCloseTo(expected[i]!.precision, 12);
      expect(c.recall).toBeCloseTo(expected[i]!.recall, 12);
      expect(c.f1).toBeCloseTo(expected[i]!.f1, 12);
      expect(c.support).toBe(expected[i]!.support);
    });
    expect(r.macro.precision).toBeCloseTo(2 / 3, 12);
    expect(r.macro.recall).toBeCloseTo(11 / 18, 12);
    expect(r.macro.f1).toBeCloseTo(1.7 / 3, 12);
    expect(r.weighted.precision).toBeCloseTo(5 / 7, 12);
    expect(r.weighted.recall).toBeCloseTo(4 / 7, 12);
    expect(r.weighted.f1).toBeCloseTo(3.9 / 7, 12);
    expect(r.samples).toBe(7);
    expect(metrics.accuracyScore(yTrue, yPred)).toBeCloseTo(4 / 7, 12);
    expect(metrics.f1Score(yTrue, yPred)).toBeCloseTo(1.7 / 3, 12);
    expect(metrics.precisionScore(yTrue, yPred, 'weighted')).toBeCloseTo(5 / 7, 12);
    expect(metrics.recallScore(yTrue, yPred, 'none')).toEqual(r.perClass.map((c) => c.recall));
  });

  it('zero division counts as 0, as scikit-learn (zero_division=0), and absent classes count in macro when named', () => {
    // class 1 is predicted but never true: recall 0/0 → 0; precision 0/1 = 0
    const r = metrics.classificationReport([0, 0], [0, 1]);
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.perClass[0]!.f1).toBeCloseTo(2 / 3, 12);
    expect(r.macro.f1).toBeCloseTo(1 / 3, 12);
    // a class never predicted: precision 0/0 → 0
    expect(metrics.classificationReport([0, 1], [0, 0]).perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    // a fourth class that never appears, named: zero scores, and it lowers the macro mean
    const named = metrics.classificationReport(yTrue, yPred, { classNames: ['a', 'b', 'c', 'd'] });
    expect(named.perClass).toHaveLength(4);
    expect(named.macro.precision).toBeCloseTo((1 / 3 + 2 / 3 + 1) / 4, 12);
    expect(named.confusionMatrix[3]).toEqual([0, 0, 0, 0]);
    expect(named.classNames).toEqual(['a', 'b', 'c', 'd']);
    expect(Number.isNaN(named.weighted.f1)).toBe(false);
  });

  it('takes typed arrays and cpu tensors; refuses mismatched or non-label input', () => {
    const fromTensors = metrics.classificationReport(wg.tensor(yTrue, [7], 'int32'), wg.tensor(yPred));
    expect(fromTensors).toEqual(metrics.classificationReport(Int32Array.from(yTrue), Float32Array.from(yPred)));
    expect(() => metrics.accuracyScore([0, 1], [0])).toThrow('yTrue and yPred should have the same length, got 2 and 1');
    expect(() => metrics.accuracyScore([0, 1.5], [0, 1])).toThrow('yTrue should hold class indices (integers >= 0), got 1.5 at position 1');
    expect(() => metrics.accuracyScore([], [])).toThrow('no samples');
    expect(() => metrics.classificationReport('01' as unknown as number[], [0, 1])).toThrow('should be an array of numbers or a tensor');
  });

  it('log loss: the mean of -ln p(true class), clipped so a certain mistake is finite', () => {
    expect(metrics.logLoss([0, 1], [[0.9, 0.1], [0.2, 0.8]])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    expect(metrics.logLoss([0], [[0, 1]])).toBeCloseTo(-Math.log(1e-15), 9);
    expect(metrics.logLoss([1], [[0, 1]])).toBeCloseTo(-Math.log(1 - 1e-15), 12);
    const probs = wg.tensor([[0.25, 0.75], [0.5, 0.5]]);
    expect(metrics.logLoss(wg.tensor([1, 0], [2], 'int32'), probs)).toBeCloseTo(-(Math.log(0.75) + Math.log(0.5)) / 2, 6);
    expect(() => metrics.logLoss([2], [[0.5, 0.5]])).toThrow('label 2 at position 0 is not a class index in [0, 1]');
    expect(() => metrics.logLoss([0, 1], [[1, 0]])).toThrow('2 labels but 1 rows of probabilities');
  });
});

describe('regression scores', () => {
  it("R², MSE and MAE on scikit-learn's documented example", () => {
    const yTrue = [3, -0.5, 2, 7];
    const yPred = [2.5, 0.0, 2, 8];
    expect(metrics.r2Score(yTrue, yPred)).toBeCloseTo(0.9486081370449679, 12);
    const r = metrics.regressionReport(yTrue, yPred);
    expect(r.mse).toBeCloseTo(0.375, 12);
    expect(r.rmse).toBeCloseTo(Math.sqrt(0.375), 12);
    expect(r.mae).toBeCloseTo(0.5, 12);
    expect(r.samples).toBe(4);
  });

  it('R² of a constant target: 1 when predicted exactly, else 0 (no division by zero)', () => {
    expect(metrics.r2Score([1, 1, 1], [1, 1, 1])).toBe(1);
    expect(metrics.r2Score([1, 1, 1], [1, 1, 2])).toBe(0);
    // predicting the mean gives 0; worse than the mean is negative
    expect(metrics.r2Score([1, 2, 3], [2, 2, 2])).toBeCloseTo(0, 12);
    expect(metrics.r2Score([1, 2, 3], [3, 2, 1])).toBeCloseTo(-3, 12);
  });

  it('the tensor metrics of compile keep their names and results', () => {
    const y = wg.tensor([[1], [2]]);
    const p = wg.tensor([[1.5], [1]]);
    expect(metrics.meanSquaredError(y, p).dataSync()[0]).toBeCloseTo((0.25 + 1) / 2, 6);
    expect(metrics.meanAbsoluteError(y, p).dataSync()[0]).toBeCloseTo(0.75, 6);
    expect(metrics.regressionReport(y, p).mse).toBeCloseTo((0.25 + 1) / 2, 6);
  });
});
