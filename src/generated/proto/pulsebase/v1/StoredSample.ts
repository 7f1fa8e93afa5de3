// Original file: proto/pulsebase/v1/heart_rate.proto

import type { AlertKind as _pulsebase_v1_AlertKind, AlertKind__Output as _pulsebase_v1_AlertKind__Output } from '../../pulsebase/v1/AlertKind.js';
import type { Long } from '@grpc/proto-loader';

export interface StoredSample {
  'timestampMs'?: (number | string | Long);
  'bpm'?: (number | string);
  'deviceId'?: (string);
  'rrIntervalsMs'?: (number | string)[];
  'alert'?: (_pulsebase_v1_AlertKind);
}

export interface StoredSample__Output {
  'timestampMs': (number);
  'bpm': (number);
  'deviceId': (string);
  'rrIntervalsMs': (number)[];
  'alert': (_pulsebase_v1_AlertKind__Output);
}
