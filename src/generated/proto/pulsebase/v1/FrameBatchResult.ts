// Original file: proto/pulsebase/v1/sensors.proto

import type { FrameVerdict as _pulsebase_v1_FrameVerdict, FrameVerdict__Output as _pulsebase_v1_FrameVerdict__Output } from '../../pulsebase/v1/FrameVerdict.js';

export interface FrameBatchResult {
  'stored'?: (number);
  'rejected'?: (number);
  'verdicts'?: (_pulsebase_v1_FrameVerdict)[];
}

export interface FrameBatchResult__Output {
  'stored': (number);
  'rejected': (number);
  'verdicts': (_pulsebase_v1_FrameVerdict__Output)[];
}
