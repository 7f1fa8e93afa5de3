// Original file: proto/pulsebase/v1/heart_rate.proto

import type { Sample as _pulsebase_v1_Sample, Sample__Output as _pulsebase_v1_Sample__Output } from '../../pulsebase/v1/Sample.js';

export interface SampleBatch {
  'samples'?: (_pulsebase_v1_Sample)[];
}

export interface SampleBatch__Output {
  'samples': (_pulsebase_v1_Sample__Output)[];
}
