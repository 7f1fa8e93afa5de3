// Original file: proto/pulsebase/v1/heart_rate.proto

import type { StoredSample as _pulsebase_v1_StoredSample, StoredSample__Output as _pulsebase_v1_StoredSample__Output } from '../../pulsebase/v1/StoredSample.js';

export interface LiveSamples {
  'deviceId'?: (string);
  'samples'?: (_pulsebase_v1_StoredSample)[];
}

export interface LiveSamples__Output {
  'deviceId': (string);
  'samples': (_pulsebase_v1_StoredSample__Output)[];
}
