// Original file: proto/pulsebase/v1/heart_rate.proto

import type { StoredSample as _pulsebase_v1_StoredSample, StoredSample__Output as _pulsebase_v1_StoredSample__Output } from '../../pulsebase/v1/StoredSample.js';
import type { Alert as _pulsebase_v1_Alert, Alert__Output as _pulsebase_v1_Alert__Output } from '../../pulsebase/v1/Alert.js';
import type { Stats as _pulsebase_v1_Stats, Stats__Output as _pulsebase_v1_Stats__Output } from '../../pulsebase/v1/Stats.js';

export interface StatusResponse {
  'recent'?: (_pulsebase_v1_StoredSample)[];
  'activeAlert'?: (_pulsebase_v1_Alert | null);
  'stats'?: (_pulsebase_v1_Stats | null);
}

export interface StatusResponse__Output {
  'recent': (_pulsebase_v1_StoredSample__Output)[];
  'activeAlert': (_pulsebase_v1_Alert__Output | null);
  'stats': (_pulsebase_v1_Stats__Output | null);
}
