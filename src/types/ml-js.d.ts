// The parts of the ml.js packages without type declarations of their own that pulsebase uses
// (src/platform/ml-runtime/classical-task.ts).
declare module 'ml-cart' {
  interface TreeOptions {
    gainFunction?: 'gini'
    maxDepth?: number
    minNumSamples?: number
  }
  export class DecisionTreeClassifier {
    constructor(options?: TreeOptions)
    train(x: number[][], y: number[]): void
    predict(x: number[][]): number[]
    toJSON(): unknown
    static load(model: unknown): DecisionTreeClassifier
  }
  export class DecisionTreeRegression {
    constructor(options?: TreeOptions)
    train(x: number[][], y: number[]): void
    predict(x: number[][]): number[]
    toJSON(): unknown
    static load(model: unknown): DecisionTreeRegression
  }
}

declare module 'ml-knn' {
  export default class KNN {
    constructor(dataset: number[][], labels: number[], options?: { k?: number })
    readonly k: number
    /** Each training row with its label appended as the last value. */
    readonly kdTree: { nearest(point: number[], count: number): [number[], number][] }
    predict(x: number[][]): number[]
    toJSON(): unknown
    static load(model: unknown): KNN
  }
}

declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix'
  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number })
    train(x: Matrix, y: Matrix): void
    predict(x: Matrix): number[]
    toJSON(): unknown
    static load(model: unknown): LogisticRegression
  }
}
